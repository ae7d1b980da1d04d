/**
 * Where the CLI sends its requests, and how: the local server (admin key from `.scimgate/local.json`) or a deployed
 * stack (`--url`, SigV4-signed with the standard AWS credential chain).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { MANAGEMENT_PREFIX } from '../shared/http/routes';
import type { RequestPlan } from './plan';
import { defaultCredentialSource, regionFromHost, signRequest, type CredentialSource } from './sigv4';

/** An error with a message for the user (exit 1). */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** The management API answered with an error status. */
export class ApiError extends CliError {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
    hint?: string,
  ) {
    super(message, hint);
  }
}

export type TargetAuth =
  { mode: 'key'; key: string } | { mode: 'sigv4'; region: string; credentials?: CredentialSource };

export interface Target {
  /** Management API base, e.g. `http://127.0.0.1:8080/admin/v1` (no trailing slash). */
  baseUrl: string;
  auth: TargetAuth;
  source: 'local' | 'url';
  /** local.json the target came from. */
  file?: string;
}

type Env = Record<string, string | undefined>;

export const CLI_USER_AGENT = 'scimgate-cli/0.1.0';

/** The management API base URL: a bare origin gets the /admin/v1 prefix. */
export function normaliseBaseUrl(raw: string, what: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(`${what} '${raw}' is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new CliError(`${what} must be an http(s) URL, got '${raw}'`);
  }
  if (url.search || url.hash) throw new CliError(`${what} must not carry a query or fragment`);
  let path = url.pathname.replace(/\/+$/, '');
  if (path === '') path = MANAGEMENT_PREFIX;
  return `${url.origin}${path}`;
}

export function localJsonPath(env: Env, cwd: string): string {
  const dir = env.SCIMGATE_DATA_DIR || '.scimgate';
  return join(isAbsolute(dir) ? dir : resolve(cwd, dir), 'local.json');
}

const START_HINT = 'start the local server with npm start, or pass --url <management API URL>';

/** Reads the target from local.json, `--url` or `$SCIMGATE_URL`. */
export function resolveTarget(
  global: { url?: string; region?: string },
  env: Env,
  cwd: string,
  credentials?: CredentialSource,
): Target {
  const rawUrl = global.url ?? (env.SCIMGATE_URL || undefined);
  if (rawUrl !== undefined) {
    const baseUrl = normaliseBaseUrl(rawUrl, global.url !== undefined ? '--url' : 'SCIMGATE_URL');
    // A self-hosted server that uses an admin key instead of IAM.
    if (env.SCIMGATE_ADMIN_KEY)
      return { baseUrl, auth: { mode: 'key', key: env.SCIMGATE_ADMIN_KEY }, source: 'url' };
    const region =
      global.region ??
      (env.AWS_REGION || env.AWS_DEFAULT_REGION || regionFromHost(new URL(baseUrl).hostname));
    if (!region) {
      throw new CliError('no AWS region for signing requests: pass --region <region> or set AWS_REGION');
    }
    return {
      baseUrl,
      auth: { mode: 'sigv4', region, ...(credentials ? { credentials } : {}) },
      source: 'url',
    };
  }

  const file = localJsonPath(env, cwd);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CliError(`no local server found: ${file} does not exist`, START_HINT);
    }
    throw new CliError(`cannot read ${file}: ${(e as Error).message}`);
  }
  let info: { adminUrl?: unknown; adminKey?: unknown };
  try {
    info = JSON.parse(text) as typeof info;
  } catch {
    throw new CliError(`${file} is not valid JSON`, 'restart the local server (npm start) to rewrite it');
  }
  if (typeof info.adminUrl !== 'string' || typeof info.adminKey !== 'string' || info.adminKey === '') {
    throw new CliError(
      `${file} has no adminUrl/adminKey (written by an older local server)`,
      'restart the local server with npm start, or pass --url <management API URL>',
    );
  }
  return {
    baseUrl: normaliseBaseUrl(info.adminUrl, `adminUrl in ${file}`),
    auth: { mode: 'key', key: info.adminKey },
    source: 'local',
    file,
  };
}

export interface ApiResponse {
  status: number;
  /** Parsed JSON, or undefined for an empty body (204). */
  body: unknown;
}

export interface ClientDeps {
  fetch?: typeof fetch;
  timeoutMs?: number;
}

function messageOf(body: unknown, fallback: string): string {
  if (body && typeof body === 'object') {
    const b = body as { error?: { message?: unknown }; message?: unknown; detail?: unknown };
    for (const m of [b.error?.message, b.message, b.detail]) if (typeof m === 'string' && m !== '') return m;
  }
  if (typeof body === 'string' && body.trim() !== '') return body.trim().slice(0, 300);
  return fallback;
}

function errorHint(status: number, target: Target): string | undefined {
  if (status === 401 && target.auth.mode === 'key') {
    return target.source === 'local'
      ? `the admin key in ${target.file} was not accepted; is the server on ${target.baseUrl} the one that wrote it?`
      : 'check SCIMGATE_ADMIN_KEY';
  }
  if (status === 403 && target.auth.mode === 'sigv4') {
    return 'the AWS identity needs execute-api:Invoke on the management API (check AWS_PROFILE and the region)';
  }
  return undefined;
}

/** Sends one request; throws ApiError on a 4xx/5xx answer and CliError when the server cannot be reached. */
export async function send(target: Target, plan: RequestPlan, deps: ClientDeps = {}): Promise<ApiResponse> {
  const doFetch = deps.fetch ?? fetch;
  const url = new URL(target.baseUrl + plan.path);
  for (const [k, v] of Object.entries(plan.query ?? {})) url.searchParams.set(k, v);
  const body = plan.body !== undefined ? JSON.stringify(plan.body) : undefined;
  let headers: Record<string, string> = { accept: 'application/json', 'user-agent': CLI_USER_AGENT };
  if (body !== undefined) headers['content-type'] = 'application/json';

  if (target.auth.mode === 'key') {
    headers['x-admin-key'] = target.auth.key;
  } else {
    const credentials = target.auth.credentials ?? (await defaultCredentialSource());
    try {
      headers = await signRequest(
        { method: plan.method, url: url.toString(), headers, ...(body !== undefined ? { body } : {}) },
        { region: target.auth.region, credentials },
      );
    } catch (e) {
      throw new CliError(
        `no usable AWS credentials: ${(e as Error).message}`,
        'configure the standard AWS credential chain (AWS_PROFILE, aws sso login, AWS_ACCESS_KEY_ID, …)',
      );
    }
    delete headers.host; // fetch derives Host from the URL (the value that was signed)
  }

  let res: Response;
  try {
    res = await doFetch(url, {
      method: plan.method,
      headers,
      ...(body !== undefined ? { body } : {}),
      signal: AbortSignal.timeout(deps.timeoutMs ?? 30_000),
    });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const reason =
      err.name === 'TimeoutError' ? 'timed out' : (err.cause?.code ?? err.cause?.message ?? err.message);
    throw new CliError(
      `cannot reach the management API at ${target.baseUrl} (${reason})`,
      target.source === 'local' ? 'is the local server running? Start it with npm start' : undefined,
    );
  }
  const text = await res.text();
  let parsed: unknown = undefined;
  if (text.trim() !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  if (res.status >= 400) {
    throw new ApiError(
      res.status,
      messageOf(parsed, res.statusText || `HTTP ${res.status}`),
      parsed,
      errorHint(res.status, target),
    );
  }
  if (typeof parsed === 'string') {
    throw new CliError(`the management API answered ${res.status} with a body that is not JSON`);
  }
  return { status: res.status, body: parsed };
}
