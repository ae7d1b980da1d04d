/**
 * Bad input that would reach DynamoDB's limits (2048-byte partition keys, 1024-byte sort keys, 400 KB items) is a
 * 400 SCIM error with a scimType, never a 500 (docs/idp-setup.md, Limits).
 */
import { request as httpRequest } from 'node:http';
import { startHarness, type Harness } from '../support/harness';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let h: Harness;
let userId = '';
let groupId = '';
beforeAll(async () => {
  h = await startHarness({ tenantId: 'limits' });
  userId = (
    await h.request('POST', 'Users', { body: { schemas: [USER_SCHEMA], userName: 'base@x.example' } })
  ).body.id;
  groupId = (await h.request('POST', 'Groups', { body: { schemas: [GROUP_SCHEMA], displayName: 'Base' } }))
    .body.id;
});
afterAll(async () => {
  await h.close();
});

const long = (n: number, c = 'a') => c.repeat(n);

function expect400(res: { status: number; body: { scimType?: string; status?: string } }, scimType: string) {
  expect(res.status).toBe(400);
  expect(res.body).toMatchObject({ status: '400', scimType });
}

describe('values over the DynamoDB key limits', () => {
  it.each([
    ['userName', (v: string): Record<string, unknown> => ({ userName: v })],
    ['externalId', (v: string): Record<string, unknown> => ({ externalId: v })],
    ['work e-mail', (v: string): Record<string, unknown> => ({ emails: [{ type: 'work', value: v }] })],
  ])('should refuse a user whose %s is over 1024 bytes with 400 invalidValue', async (_name, body) => {
    for (const value of [long(3000), long(700, 'é')]) {
      const user = { schemas: [USER_SCHEMA], userName: `u-${Math.random()}`, ...body(value) };
      expect400(await h.request('POST', 'Users', { body: user }), 'invalidValue');
      expect400(await h.request('PUT', `Users/${userId}`, { body: user }), 'invalidValue');
    }
  });

  it('should accept values at exactly 1024 bytes', async () => {
    const ok = await h.request('POST', 'Users', {
      body: {
        schemas: [USER_SCHEMA],
        userName: long(1024),
        externalId: long(1024, 'b'),
        emails: [{ type: 'work', value: long(1024, 'c') }],
      },
    });
    expect(ok.status).toBe(201);
    const found = await h.request('GET', `Users?filter=${encodeURIComponent(`userName eq "${long(1024)}"`)}`);
    expect(found.body.totalResults).toBe(1);
  });

  it('should refuse an over-long userName set by PATCH', async () => {
    const res = await h.request('PATCH', `Users/${userId}`, {
      body: { schemas: [PATCH_SCHEMA], Operations: [{ op: 'replace', path: 'userName', value: long(2100) }] },
    });
    expect400(res, 'invalidValue');
  });

  it('should refuse a group whose displayName or externalId is over 1024 bytes', async () => {
    expect400(
      await h.request('POST', 'Groups', { body: { schemas: [GROUP_SCHEMA], displayName: long(2500) } }),
      'invalidValue',
    );
    expect400(
      await h.request('POST', 'Groups', {
        body: { schemas: [GROUP_SCHEMA], displayName: 'G-ext', externalId: long(2500) },
      }),
      'invalidValue',
    );
    const patch = await h.request('PATCH', `Groups/${groupId}`, {
      body: {
        schemas: [PATCH_SCHEMA],
        Operations: [{ op: 'replace', path: 'displayName', value: long(2500) }],
      },
    });
    expect400(patch, 'invalidValue');
  });
});

describe('ids over 1 KB', () => {
  const bigId = long(1500, 'f');
  it.each([
    ['GET', 'Users'],
    ['PUT', 'Users'],
    ['PATCH', 'Users'],
    ['DELETE', 'Users'],
    ['GET', 'Groups'],
    ['PUT', 'Groups'],
    ['PATCH', 'Groups'],
    ['DELETE', 'Groups'],
  ])('should answer %s %s/<1.5 KB id> with 400 invalidValue', async (method, type) => {
    const body =
      method === 'PATCH'
        ? {
            schemas: [PATCH_SCHEMA],
            Operations: [{ op: 'add', path: 'members', value: [{ value: userId }] }],
          }
        : method === 'PUT'
          ? type === 'Users'
            ? { schemas: [USER_SCHEMA], userName: 'x' }
            : { schemas: [GROUP_SCHEMA], displayName: 'x' }
          : undefined;
    const res = await h.request(method, `${type}/${bigId}`, body ? { body } : {});
    expect400(res, 'invalidValue');
  });

  it('should answer an over-long id or member value in a filter with 400 invalidFilter', async () => {
    for (const [type, filter] of [
      ['Users', `id eq "${bigId}"`],
      ['Groups', `id eq "${bigId}"`],
      ['Groups', `members[value eq "${bigId}"]`],
      ['Groups', `members.value eq "${bigId}"`],
      ['Users', `userName eq "${long(3000)}"`],
      ['Users', `emails[type eq "work"].value eq "${long(3000)}"`],
      ['Users', `externalId eq "${long(3000)}"`],
      ['Groups', `displayName eq "${long(3000)}"`],
    ] as const) {
      expect400(await h.request('GET', `${type}?filter=${encodeURIComponent(filter)}`), 'invalidFilter');
    }
  });

  it('should answer filter=id eq "" with 400 invalidFilter', async () => {
    for (const type of ['Users', 'Groups']) {
      expect400(await h.request('GET', `${type}?filter=${encodeURIComponent('id eq ""')}`), 'invalidFilter');
    }
  });

  it('should refuse an over-long member value with 400 invalidValue', async () => {
    expect400(
      await h.request('POST', 'Groups', {
        body: { schemas: [GROUP_SCHEMA], displayName: 'Members', members: [{ value: bigId }] },
      }),
      'invalidValue',
    );
    for (const op of [
      { op: 'add', path: 'members', value: [{ value: bigId }] },
      { op: 'remove', path: `members[value eq "${bigId}"]` },
      { op: 'replace', path: 'members', value: [{ value: bigId }] },
    ]) {
      expect400(
        await h.request('PATCH', `Groups/${groupId}`, {
          body: { schemas: [PATCH_SCHEMA], Operations: [op] },
        }),
        'invalidValue',
      );
    }
  });
});

describe('items over 400 KB', () => {
  it('should refuse a valid body whose item would exceed 400 KB with 400 invalidValue', async () => {
    const addresses = Array.from({ length: 40 }, (_, i) => ({
      type: 'other',
      formatted: `${i}${long(15_000)}`,
    }));
    const res = await h.request('POST', 'Users', {
      body: { schemas: [USER_SCHEMA], userName: 'huge@x.example', addresses },
    });
    expect400(res, 'invalidValue');
    expect(res.body.detail).toMatch(/limit is 262144 bytes/);
    const patch = await h.request('PATCH', `Users/${userId}`, {
      body: { schemas: [PATCH_SCHEMA], Operations: [{ op: 'add', path: 'addresses', value: addresses }] },
    });
    expect400(patch, 'invalidValue');
    expect((await h.request('GET', `Users/${userId}`)).body).not.toHaveProperty('addresses');
  });
});

describe('userName characters', () => {
  it.each(['a\u0000b', 'tab\there', 'line\nbreak', 'del\u007f', 'c1\u0085'])(
    'should refuse a userName with control characters (%j) with 400 invalidValue',
    async (userName) => {
      expect400(
        await h.request('POST', 'Users', { body: { schemas: [USER_SCHEMA], userName } }),
        'invalidValue',
      );
    },
  );
});

/** Sends raw bytes (fetch would re-encode a string body). */
interface RawResponse {
  status: number;
  body: { status?: string; scimType?: string; userName?: string } | undefined;
}

function sendBytes(path: string, body: Buffer, contentType: string): Promise<RawResponse> {
  const url = new URL(`${h.server.origin}${h.baseUrl}/${path}`);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${h.token}`,
          'content-type': contentType,
          'content-length': body.length,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            body: text ? (JSON.parse(text) as RawResponse['body']) : undefined,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('invalid UTF-8', () => {
  it.each(['application/scim+json', 'application/json', 'application/octet-stream'])(
    'should refuse a %s body that is not UTF-8 with 400 invalidSyntax and store nothing',
    async (contentType) => {
      const body = Buffer.concat([
        Buffer.from(`{"schemas":["${USER_SCHEMA}"],"userName":"bad`),
        Buffer.from([0xc3, 0x28, 0xff]),
        Buffer.from('@x.example"}'),
      ]);
      const res = await sendBytes('Users', body, contentType);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
      const list = await h.request('GET', `Users?filter=${encodeURIComponent('userName sw "bad"')}`);
      expect(list.body.totalResults).toBe(0);
    },
  );

  it('should accept the same body in valid UTF-8', async () => {
    const res = await sendBytes(
      'Users',
      Buffer.from(`{"schemas":["${USER_SCHEMA}"],"userName":"gööd@x.example"}`),
      'application/scim+json',
    );
    expect(res.status).toBe(201);
    expect(res.body?.userName).toBe('gööd@x.example');
  });
});
