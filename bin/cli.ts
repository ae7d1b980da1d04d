/**
 * `scimgate`: the command-line client of the management API (/admin/v1). See docs/cli.md.
 *
 *   npx scimgate credentials create --tenant acme --kind bearer --name "Okta production"
 *
 * `run(argv, io)` is the whole program (tests call it in-process); running this file directly calls it with the
 * process's arguments and streams. Exit codes: 0 done, 1 error (message on stderr), 2 usage error (help on stderr).
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ApiError, CliError, resolveTarget, send, type ClientDeps } from './client';
import { planRequest, UsageError } from './plan';
import { renderHuman } from './render';
import { tailEvents } from './tail';
import type { CredentialSource } from './sigv4';
import { commandHelp, parseCommandLine } from './spec';

export interface Output {
  write(chunk: string): unknown;
}

export interface CliIo {
  stdout: Output;
  stderr: Output;
  /** Default: process.env. */
  env?: Record<string, string | undefined>;
  /** Resolves a relative $SCIMGATE_DATA_DIR; default: process.cwd(). */
  cwd?: string;
  /** Clock for relative times; default: now. */
  now?: () => Date;
  fetch?: typeof fetch;
  /** AWS credentials for --url targets; default: the standard AWS chain. */
  awsCredentials?: CredentialSource;
  /** Stops a following command (`events tail`); the CLI wires Ctrl-C to it. */
  signal?: AbortSignal;
}

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;

function line(out: Output, text: string): void {
  out.write(text.endsWith('\n') ? text : `${text}\n`);
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const env = io.env ?? process.env;
  const parsed = parseCommandLine(argv, env);
  if (parsed.kind === 'help') {
    io.stdout.write(parsed.text);
    return EXIT_OK;
  }
  if (parsed.kind === 'usage') {
    line(io.stderr, `scimgate: ${parsed.message}\n`);
    io.stderr.write(parsed.help);
    return EXIT_USAGE;
  }

  const cmd = parsed;
  try {
    const plan = planRequest(cmd);
    const target = resolveTarget(cmd.global, env, io.cwd ?? process.cwd(), io.awsCredentials);
    const deps: ClientDeps = io.fetch ? { fetch: io.fetch } : {};
    if (cmd.spec.name === 'events tail') {
      const interval = cmd.options.interval;
      await tailEvents(target, plan, deps, io, {
        fromStart: cmd.options['from-start'] === true,
        once: cmd.options.once === true,
        json: cmd.global.json === true,
        intervalMs: typeof interval === 'string' ? Number(interval) : 1000,
      });
      return EXIT_OK;
    }
    let response;
    try {
      response = await send(target, plan, deps);
    } catch (e) {
      if (cmd.spec.name === 'jobs run' && e instanceof ApiError && (e.status === 404 || e.status === 405)) {
        throw new CliError(
          `the '${cmd.args.job}' job is not available on this server ` +
            `(POST ${new URL(target.baseUrl).pathname}${plan.path} answered ${e.status})`,
          'the server predates the jobs route; update it, or wait for the scheduled run',
        );
      }
      throw e;
    }
    if (cmd.global.json) {
      line(io.stdout, JSON.stringify(response.body ?? {}, null, 2));
    } else {
      line(io.stdout, renderHuman(cmd, response.body, io.now?.() ?? new Date()));
    }
    return EXIT_OK;
  } catch (e) {
    if (e instanceof UsageError) {
      line(io.stderr, `scimgate: ${e.message}\n`);
      io.stderr.write(commandHelp(cmd.spec));
      return EXIT_USAGE;
    }
    if (e instanceof CliError) {
      const status = e instanceof ApiError ? ` (HTTP ${e.status})` : '';
      line(io.stderr, `scimgate: ${e.message}${status}`);
      if (e.hint) line(io.stderr, `  hint: ${e.hint}`);
      return EXIT_ERROR;
    }
    line(io.stderr, `scimgate: unexpected error: ${(e as Error)?.stack ?? String(e)}`);
    return EXIT_ERROR;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: stop.signal }).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(e);
      process.exitCode = EXIT_ERROR;
    },
  );
}
