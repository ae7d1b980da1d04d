import { rmSync } from 'node:fs';
import { scanLogsForSecrets } from './secret-scan';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __scimgateDdb?: { stop(): Promise<void> } }).__scimgateDdb?.stop();
  const dir = process.env.SCIMGATE_TEST_LOG_DIR;
  if (!dir) return;
  // The "secrets are never logged" proof over the whole run: every issued secret has a checksummed shape.
  const result = scanLogsForSecrets(dir);
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `\nsecret scan: searched ${result.bytes} bytes of logs from ${result.files} test processes: ${result.hits.length} secrets found`,
  );
  if (result.hits.length > 0) {
    throw new Error(`secrets were written to the test logs:\n${result.hits.join('\n')}`);
  }
}
