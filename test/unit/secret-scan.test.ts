import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSecret } from '../../shared/credentials/secret-format';
import { scanLogsForSecrets } from '../support/secret-scan';

describe('the log scan that proves secrets are never logged', () => {
  it('should find a secret or an access token written to a log, and nothing in clean logs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scan-'));
    writeFileSync(join(dir, '1.log'), 'GET /Users 200\ncredential scgb_...abcd created\n');
    expect(scanLogsForSecrets(dir).hits).toEqual([]);
    writeFileSync(join(dir, '2.log'), `oops: Authorization: Bearer ${generateSecret('bearer')}\n`);
    writeFileSync(
      join(dir, '3.log'),
      'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzY2dpX3gifQ.c2lnbmF0dXJlc2lnbmF0dXJl\n',
    );
    const result = scanLogsForSecrets(dir);
    expect(result.hits).toHaveLength(2);
    expect(result.files).toBe(3);
  });
});
