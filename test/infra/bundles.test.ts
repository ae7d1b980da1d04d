/**
 * Bundles every Lambda entry (HTTP functions and jobs) with esbuild and the construct's own options (BUNDLING in
 * infra/function.ts: ESM, minified, platform node, target node24, AWS SDK bundled) into a temp dir, and holds each
 * bundle to a size budget: a dependency that drags in half of npm fails here, not in a cold start. Actual sizes
 * are recorded in docs/deploy.md ("Bundle sizes").
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { EVENT_ENTRIES, FUNCTION_ENTRIES, JOB_ENTRIES, MEMBERSHIP_SWEEP } from '../../functions/entries';
import { REPO_ROOT, esbuildOptionsFor } from '../../infra/function';

const KB = 1024;
/** Budget of the minified index.mjs (source map excluded) per entry. */
const BUDGET_BYTES = 1536 * KB;
/** Issue 8's budget for the functions on every IdP request's path: SCIM and the OAuth token endpoint. */
const REQUEST_PATH_BUDGET_BYTES = 400 * KB;
const REQUEST_PATH = ['scimUsers', 'scimGroups', 'scimRoot', 'oauthToken'];

const ENTRIES: [string, string][] = [
  ...Object.entries(FUNCTION_ENTRIES),
  ...Object.entries(JOB_ENTRIES).map(([job, e]): [string, string] => [`${job} job`, e.entry]),
  ...Object.entries(EVENT_ENTRIES),
  ['membership sweep', MEMBERSHIP_SWEEP.entry],
];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'scimgate-bundles-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Bundles one entry; returns its size and the source files (repository-relative or package paths) it contains. */
async function bundle(entry: string): Promise<{ size: number; inputs: string[] }> {
  const outfile = path.join(dir, path.basename(entry, '.ts'), 'index.mjs');
  const result = await build({
    ...esbuildOptionsFor(path.join(REPO_ROOT, 'functions', entry), outfile),
    metafile: true,
  });
  const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined);
  return {
    size: statSync(outfile).size,
    inputs: Object.keys(output?.inputs ?? {}).map((f) => f.replace(/^.*node_modules\//, '')),
  };
}

/** Code that belongs to one function (or family of functions) only. */
const OWN_CODE: Record<string, RegExp> = {
  scim: /^shared\/(http\/scim-edge|domain\/scim-resources|scim\/patch|adapters\/dynamodb\/resource-repository)\.ts$/,
  management: /^(shared\/http\/management-edge\.ts|docs\/openapi\.json)$/,
  oauth: /^shared\/(http\/oauth-edge|credentials\/token-request)\.ts$/,
  console: /^shared\/(http\/console-edge|domain\/console-integrations)\.ts$/,
  mail: /^shared\/domain\/(reminder-mail|jobs)\.ts$/,
  tracer: /^(@aws-lambda-powertools\/tracer|aws-xray-sdk-core)\//,
  // The stream consumer: the producer, its pipeline, the stream decoder and the EventBridge publisher.
  events:
    /^(shared\/(domain\/events\/(produce|pipeline)|adapters\/dynamodb\/stream-records|adapters\/aws\/eventbridge-publisher)\.ts$|@aws-sdk\/client-eventbridge\/)/,
};

/** Which of OWN_CODE each function may contain. */
const ALLOWED: Record<string, string[]> = {
  scimUsers: ['scim'],
  scimGroups: ['scim'],
  scimRoot: ['scim'],
  oauthToken: ['oauth'],
  management: ['management', 'mail'],
  // The console API shares the admin JSON plumbing (shared/http/admin-json.ts), not the management edge.
  console: ['console'],
  'reminders job': ['mail'],
  'idle job': ['mail'],
  sesFeedback: [],
  // The membership worker finishes and discards staged group changes with the resource repository's helpers.
  membershipStream: ['scim'],
  'membership sweep': ['scim'],
  eventStream: ['events'],
};

describe('function bundles', () => {
  it.each(ENTRIES)(`should bundle %s (%s) within ${BUDGET_BYTES / KB} KiB`, async (name, entry) => {
    const { size } = await bundle(entry);
    console.log(`bundle ${name}: ${(size / KB).toFixed(0)} KiB`);

    expect(size).toBeGreaterThan(10 * KB); // really bundled (the signer and util-dynamodb are in it)
    expect(size).toBeLessThanOrEqual(REQUEST_PATH.includes(name) ? REQUEST_PATH_BUDGET_BYTES : BUDGET_BYTES);
  });

  it.each(ENTRIES)(
    'should speak DynamoDB, Secrets Manager and SES without SDK clients in %s (%s)',
    async (_name, entry) => {
      const { inputs } = await bundle(entry);

      // The document client, the pepper reader and the mailer send signed requests themselves (decisions 0016 and
      // 0019); the SDK's DynamoDB client is the local run's and the tests' only.
      expect(
        inputs.filter((f) =>
          /^@aws-sdk\/(client-dynamodb|lib-dynamodb|client-secrets-manager|client-sesv2)\//.test(f),
        ),
      ).toEqual([]);
      expect(inputs).toContain('shared/adapters/aws/json-protocol.ts');
    },
  );

  it.each(ENTRIES)('should hold no code of another function in %s (%s)', async (name, entry) => {
    const { inputs } = await bundle(entry);
    const allowed = ALLOWED[name];
    expect(allowed).toBeDefined(); // every entry is classified here

    const foreign = Object.entries(OWN_CODE)
      .filter(([owner]) => !(allowed ?? []).includes(owner))
      .flatMap(([owner, pattern]) => inputs.filter((f) => pattern.test(f)).map((f) => `${owner}: ${f}`));

    expect(foreign).toEqual([]);
    // Its own code is really there (the patterns still name real files).
    const missing = (allowed ?? [])
      .filter((owner) => owner !== 'mail')
      .filter((owner) => !inputs.some((f) => OWN_CODE[owner]?.test(f)));
    expect(missing).toEqual([]);
  });
});
