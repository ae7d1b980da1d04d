import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildContainer } from '../../functions/compose/container';
import { recordFeedback } from '../../functions/compose/ses-feedback';
import { eventFunction } from '../../functions/runtime/event-function';
import { createTestTable } from '../support/tables';

const sns = (message: unknown) => ({ Records: [{ Sns: { Message: JSON.stringify(message) } }] });

describe('SES feedback consumer (DynamoDB Local)', () => {
  it('should record permanent bounces and complaints per tenant and ignore transient bounces', async () => {
    const table = await createTestTable();
    const container = buildContainer(
      {
        TABLE_NAME: table.tableName,
        DYNAMODB_ENDPOINT: table.endpoint,
        PEPPER_FILE: join(mkdtempSync(join(tmpdir(), 'fb-')), 'pepper.json'),
        OUTBOX_DIR: mkdtempSync(join(tmpdir(), 'fb-outbox-')),
      },
      { doc: table.doc },
    );
    // The function's own middy handler and work, over this test's core.
    const handler = eventFunction(
      'ses feedback',
      (core) => ({ repository: container.credentialRepository, clock: core.clock }),
      recordFeedback,
      { core: () => container.core },
    );
    const mail = { tags: { tenants: ['acme.globex'] } };
    await handler(
      sns({
        eventType: 'Bounce',
        mail,
        bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'Gone@Example.com' }] },
      }),
    );
    await handler(
      sns({
        eventType: 'Complaint',
        mail,
        complaint: { complainedRecipients: [{ emailAddress: 'angry@example.com' }] },
      }),
    );
    await handler(
      sns({
        eventType: 'Bounce',
        mail,
        bounce: { bounceType: 'Transient', bouncedRecipients: [{ emailAddress: 'full@example.com' }] },
      }),
    );
    const acme = await container.credentialRepository.listSuppressed('acme');
    expect(acme.map((s) => [s.email, s.reason]).sort()).toEqual([
      ['angry@example.com', 'complaint'],
      ['gone@example.com', 'bounce'],
    ]);
    expect((await container.credentialRepository.listSuppressed('globex')).length).toBe(2);
    expect(await container.credentialRepository.listSuppressed('other')).toEqual([]);
  });
});
