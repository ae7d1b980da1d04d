import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSecret } from '../../shared/credentials/secret-format';

/** Anything shaped like a scimgate secret (prefix + body + checksum) or a JWT access token. */
const SECRET_SHAPE = /scg[a-z]_[0-9A-Za-z]{40,60}/g;
const JWT_SHAPE = /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{16,}/g;

export interface ScanResult {
  files: number;
  bytes: number;
  hits: string[];
}

/** Searches every captured log of the run for valid secrets (checksum verified) and access tokens. */
export function scanLogsForSecrets(dir: string): ScanResult {
  const hits: string[] = [];
  let bytes = 0;
  const files = readdirSync(dir).filter((f) => f.endsWith('.log'));
  for (const f of files) {
    const text = readFileSync(join(dir, f), 'utf8');
    bytes += text.length;
    for (const m of text.matchAll(SECRET_SHAPE))
      if (parseSecret(m[0])) hits.push(`${f}: ${m[0].slice(0, 9)}…`);
    for (const m of text.matchAll(JWT_SHAPE)) hits.push(`${f}: ${m[0].slice(0, 12)}…`);
  }
  return { files: files.length, bytes, hits };
}
