/**
 * The recent SCIM requests per credential (issue 11, the console's Activity view): each authenticated SCIM request
 * is recorded once answered — time, method, path without its query string, status, source IP and User-Agent — and
 * read back newest first through the management API (the console route is in test/http/console-api.test.ts).
 * Refused requests are not recorded (they are in the audit log). The DynamoDB round trips of the SCIM path are
 * counted: recording costs exactly one PutItem per request and nothing else.
 */
import { DynamoCallCounter } from '../../bench/ddb-counter';
import { send } from '../support/harness';
import { startManagementHarness, type ManagementHarness } from '../support/management-harness';

const TENANT = 'reqlog';
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTRA = 'Microsoft Azure Active Directory SCIM Provisioning Client';

let h: ManagementHarness;
let counter: DynamoCallCounter;

beforeAll(async () => {
  h = await startManagementHarness();
  counter = DynamoCallCounter.attach(h.container.doc);
  const tenant = await h.request('POST', '/tenants', { body: { id: TENANT, name: 'Request log' } });
  if (tenant.status !== 201) throw new Error(`tenant: ${tenant.status}`);
});
afterAll(async () => {
  await h?.close();
});

async function issue(name: string): Promise<{ id: string; secret: string }> {
  const res = await h.request('POST', `/tenants/${TENANT}/credentials`, { body: { kind: 'bearer', name } });
  expect(res.status).toBe(201);
  return { id: res.body.credential.id as string, secret: res.body.secret as string };
}

const scim = (secret: string, method: string, path: string, body?: unknown) =>
  send(
    `${h.server.origin}/scim/v2/${TENANT}/default${path}`,
    method,
    {
      authorization: `Bearer ${secret}`,
      'user-agent': ENTRA,
      ...(body ? { 'content-type': 'application/scim+json' } : {}),
    },
    body ? JSON.stringify(body) : undefined,
  );

const requestsOf = (id: string) => h.request('GET', `/tenants/${TENANT}/credentials/${id}/requests`);

describe('recent SCIM requests per credential', () => {
  it('should record each authenticated request once answered, newest first, without the query string', async () => {
    const entra = await issue('Entra');
    const other = await issue('Other');
    const created = await scim(entra.secret, 'POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: 'grace@reqlog.example',
    });
    const filter = encodeURIComponent('userName eq "grace@reqlog.example"');
    await scim(entra.secret, 'GET', `/Users?filter=${filter}`);
    await scim(entra.secret, 'PATCH', `/Users/${created.body.id}`, { schemas: ['bad'] });
    await scim(other.secret, 'GET', '/ServiceProviderConfig');
    await scim('scgt_not-a-real-token-00000000000000000000000000', 'GET', '/Users');

    const res = await requestsOf(entra.id);

    expect(res.status).toBe(200);
    expect(res.body.requests).toEqual([
      expect.objectContaining({
        method: 'PATCH',
        path: `/scim/v2/${TENANT}/default/Users/${created.body.id}`,
        status: 400,
      }),
      expect.objectContaining({ method: 'GET', path: `/scim/v2/${TENANT}/default/Users`, status: 200 }),
      expect.objectContaining({ method: 'POST', path: `/scim/v2/${TENANT}/default/Users`, status: 201 }),
    ]);
    for (const r of res.body.requests) {
      expect(r).toEqual({
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        credentialId: entra.id,
        method: expect.any(String),
        path: expect.any(String),
        status: expect.any(Number),
        sourceIp: expect.stringMatching(/127\.0\.0\.1|::1/),
        userAgent: ENTRA,
      });
    }
    expect(res.text).not.toContain('grace@reqlog.example');
    expect(res.text).not.toContain(entra.secret);
    expect((await requestsOf(other.id)).body.requests).toEqual([
      expect.objectContaining({
        method: 'GET',
        path: `/scim/v2/${TENANT}/default/ServiceProviderConfig`,
        status: 200,
      }),
    ]);
  });

  it('should answer 404 for a credential of another tenant or none', async () => {
    expect((await h.request('POST', '/tenants', { body: { id: 'reqlog-b', name: 'B' } })).status).toBe(201);
    const theirs = await h.request('POST', '/tenants/reqlog-b/credentials', {
      body: { kind: 'bearer', name: 'B' },
    });
    await send(
      `${h.server.origin}/scim/v2/reqlog-b/default/Users`,
      'GET',
      { authorization: `Bearer ${theirs.body.secret}` },
      undefined,
    );

    const crossed = await requestsOf(theirs.body.credential.id);
    const unknown = await requestsOf('no-such-credential');

    expect([crossed.status, unknown.status]).toEqual([404, 404]);
    expect(crossed.text).not.toContain('/scim/v2/reqlog-b');
  });

  it('should cost exactly one PutItem per authenticated SCIM request, and nothing for a refused one', async () => {
    const c = await issue('Counted');
    // The first request of a credential also writes its first use; count from the second on.
    await scim(c.secret, 'GET', '/ServiceProviderConfig');
    const created = await scim(c.secret, 'POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: 'count@reqlog.example',
    });
    const calls: Record<string, Record<string, number>> = {};
    const measure = async (name: string, run: () => Promise<unknown>) => {
      const before = counter.snapshot();
      await run();
      calls[name] = counter.since(before);
    };
    await measure('GET /Users/{id}', () => scim(c.secret, 'GET', `/Users/${created.body.id}`));
    await measure('POST /Users', () =>
      scim(c.secret, 'POST', '/Users', { schemas: [USER_SCHEMA], userName: 'count2@reqlog.example' }),
    );
    await measure('GET /Users?filter', () =>
      scim(c.secret, 'GET', `/Users?filter=${encodeURIComponent('userName eq "count@reqlog.example"')}`),
    );
    await measure('refused', () => scim('scgt_wrong-token-000000000000000000000000000000', 'GET', '/Users'));

    // Authentication (the secret and the endpoint in one BatchGetItem) and the operation's own calls, plus the one
    // PutItem of the request record: a read has no other write, so its only PutItem is the record.
    expect(calls['GET /Users/{id}']).toEqual({ BatchGetItem: 1, GetItem: 1, PutItem: 1 });
    expect(calls['POST /Users']!.PutItem).toBe(1);
    expect(calls['GET /Users?filter']!.PutItem).toBe(1);
    expect(calls.refused!.PutItem ?? 0).toBe(0);
    process.stdout.write(`SCIM round trips with the request record: ${JSON.stringify(calls)}\n`);
  });

  it('should answer as usual when the record cannot be written', async () => {
    const c = await issue('Unrecorded');
    await scim(c.secret, 'GET', '/ServiceProviderConfig');
    let refused = 0;
    h.container.doc.intercept('refuseRequestRecords', (call, next) => {
      const item = (call.input as { Item?: { pk?: string } }).Item;
      if (call.operation === 'PutItem' && String(item?.pk ?? '').includes('#REQUESTS#')) {
        refused++;
        throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
      }
      return next();
    });
    try {
      const res = await scim(c.secret, 'GET', '/ServiceProviderConfig');
      expect(res.status).toBe(200);
      expect(refused).toBe(1);
    } finally {
      h.container.doc.removeInterceptor('refuseRequestRecords');
    }
    expect((await requestsOf(c.id)).body.requests).toHaveLength(1);
  });

  it('should not record a 503 (storage busy or gone: the record would only wait out the same timeouts)', async () => {
    const c = await issue('Busy');
    const created = await scim(c.secret, 'POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: 'busy@reqlog.example',
    });
    h.container.doc.intercept('throttleUserReads', (call, next) => {
      const key = (call.input as { Key?: { pk?: string } }).Key;
      if (call.operation === 'GetItem' && String(key?.pk ?? '').endsWith('#USERS'))
        throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
      return next();
    });
    let res;
    try {
      res = await scim(c.secret, 'GET', `/Users/${created.body.id}`);
    } finally {
      h.container.doc.removeInterceptor('throttleUserReads');
    }

    expect(res.status).toBe(503);
    expect((await requestsOf(c.id)).body.requests.map((r: { status: number }) => r.status)).toEqual([201]);
  });
});
