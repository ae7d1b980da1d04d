/**
 * The recent SCIM requests per credential (issue 11, the console's Activity view): each authenticated SCIM request
 * is recorded once answered — time, method, path without its query string, status, source IP and User-Agent — and
 * read back newest first through the management API (the console route is in test/http/console-api.test.ts).
 * Refused requests are not recorded (they are in the audit log). The DynamoDB round trips of the SCIM path are
 * counted: a read's record costs exactly one PutItem; a write's record rides in the write's own transaction (no
 * extra call), and is rewritten in place when the answer is not the one the write expected.
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

  it('should cost one PutItem per read, no call for a write (its transaction carries it), nothing for a refused request', async () => {
    const c = await issue('Counted');
    // The first request of a credential also writes its first use; count from the second on.
    await scim(c.secret, 'GET', '/ServiceProviderConfig');
    const created = await scim(c.secret, 'POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: 'count@reqlog.example',
    });
    const calls: Record<string, Record<string, number>> = {};
    const measure = async (name: string, run: () => Promise<{ status: number }>, want: number) => {
      const before = counter.snapshot();
      expect((await run()).status).toBe(want);
      calls[name] = counter.since(before);
    };
    await measure('GET /Users/{id}', () => scim(c.secret, 'GET', `/Users/${created.body.id}`), 200);
    await measure(
      'POST /Users',
      () => scim(c.secret, 'POST', '/Users', { schemas: [USER_SCHEMA], userName: 'count2@reqlog.example' }),
      201,
    );
    await measure(
      'GET /Users?filter',
      () =>
        scim(c.secret, 'GET', `/Users?filter=${encodeURIComponent('userName eq "count@reqlog.example"')}`),
      200,
    );
    await measure(
      'PATCH /Users/{id}',
      () =>
        scim(c.secret, 'PATCH', `/Users/${created.body.id}`, {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'replace', path: 'displayName', value: 'Counted' }],
        }),
      200,
    );
    await measure('DELETE /Users/{id}', () => scim(c.secret, 'DELETE', `/Users/${created.body.id}`), 204);
    await measure(
      'refused',
      () => scim('scgt_wrong-token-000000000000000000000000000000', 'GET', '/Users'),
      401,
    );

    // Authentication (the secret and the endpoint in one BatchGetItem) and the operation's own calls, plus the
    // request record: a read has no other write, so its only PutItem is the record; a write has none at all.
    expect(calls['GET /Users/{id}']).toEqual({ BatchGetItem: 1, GetItem: 1, PutItem: 1 });
    expect(calls['GET /Users?filter']!.PutItem).toBe(1);
    for (const write of ['POST /Users', 'PATCH /Users/{id}', 'DELETE /Users/{id}']) {
      expect(calls[write]!.PutItem ?? 0).toBe(0);
      expect(calls[write]!.TransactWriteItems).toBe(1);
    }
    expect(calls.refused!.PutItem ?? 0).toBe(0);
    // Every answered request is there once, with what it answered.
    const listed = (await requestsOf(c.id)).body.requests as { method: string; status: number }[];
    expect(listed.map((r) => `${r.method} ${r.status}`)).toEqual([
      'DELETE 204',
      'PATCH 200',
      'GET 200',
      'POST 201',
      'GET 200',
      'POST 201',
      'GET 200',
    ]);
    process.stdout.write(`SCIM round trips with the request record: ${JSON.stringify(calls)}\n`);
  });

  it('should record what a write answered when it was refused, or failed after its transaction carried the record', async () => {
    const c = await issue('Refused writes');
    await scim(c.secret, 'GET', '/ServiceProviderConfig');
    const user = await scim(c.secret, 'POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: 'dup@reqlog.example',
    });
    expect(user.status).toBe(201);
    // Refused by its transaction's condition: the record did not commit with it, so it is written once answered.
    const dup = await scim(c.secret, 'POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: 'dup@reqlog.example',
    });
    expect(dup.status).toBe(409);
    // A group PUT reads the member list after its transaction: that read fails, the answer is a 503, and the record
    // the transaction carried (200) is rewritten in place.
    const group = await scim(c.secret, 'POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'Rewritten',
    });
    expect(group.status).toBe(201);
    let committed = false;
    h.container.doc.intercept('failAfterCommit', async (call, next) => {
      if (call.operation === 'TransactWriteItems') {
        const out = await next();
        committed = true;
        return out;
      }
      if (committed && call.operation === 'Query')
        throw Object.assign(new Error('gone'), { name: 'ServiceUnavailable', $fault: 'server' });
      return next();
    });
    let put;
    try {
      put = await scim(c.secret, 'PUT', `/Groups/${group.body.id}`, {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: 'Rewritten 2',
        members: [{ value: user.body.id }],
      });
    } finally {
      h.container.doc.removeInterceptor('failAfterCommit');
    }
    expect(committed).toBe(true);
    expect(put.status).toBe(503);
    const listed = (await requestsOf(c.id)).body.requests as {
      method: string;
      path: string;
      status: number;
    }[];
    expect(listed.map((r) => `${r.method} ${r.status}`)).toEqual([
      'PUT 503',
      'POST 201',
      'POST 409',
      'POST 201',
      'GET 200',
    ]);
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
