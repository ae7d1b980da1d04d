/**
 * The SCIM and OAuth functions authenticate with the Authenticator alone: bundling it (the construct's esbuild
 * options, with a metafile) must pull in none of the credential lifecycle, tenant administration or the facade,
 * and none of SES, Secrets Manager or classic zod.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT, esbuildOptionsFor } from '../../infra/function';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'scimgate-authenticator-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function inputsOf(entry: string): Promise<string[]> {
  const result = await build({
    ...esbuildOptionsFor(path.join(REPO_ROOT, entry), path.join(dir, 'index.mjs')),
    metafile: true,
    write: false,
  });
  return Object.keys(result.metafile.inputs);
}

describe('authenticator bundle', () => {
  it('should include the authenticator and none of the management parts or their SDKs', async () => {
    const inputs = await inputsOf('shared/domain/authenticator.ts');

    expect(inputs).toContain('shared/domain/authenticator.ts');
    const forbidden = inputs.filter((f) =>
      [
        /^shared\/domain\/(tenants|credential-lifecycle|credential-service|jobs)\.ts$/,
        /^shared\/http\/management-edge\.ts$/,
        /node_modules\/@aws-sdk\/client-(sesv2|secrets-manager)\//,
        /node_modules\/zod\/v4\/classic\//,
      ].some((re) => re.test(f)),
    );
    expect(forbidden).toEqual([]);
  });
});
