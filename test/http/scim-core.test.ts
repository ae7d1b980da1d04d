import { startHarness, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

async function createUser(userName: string, extra: Record<string, unknown> = {}) {
  const res = await h.request('POST', 'Users', { body: { schemas: [USER_SCHEMA], userName, ...extra } });
  expect(res.status).toBe(201);
  return res.body as { id: string; meta: { version: string; location: string } };
}

describe('SCIM Users over HTTP', () => {
  it('should create, read, replace, patch and delete a user', async () => {
    const created = await createUser('alice@example.com', {
      name: { givenName: 'Alice', familyName: 'Smith' },
      emails: [{ value: 'alice@example.com', type: 'work', primary: true }],
      password: 'placeholder-Pa55',
      active: true,
    });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created).not.toHaveProperty('password');
    expect(created.meta.location).toMatch(new RegExp(`${h.baseUrl}/Users/${created.id}$`));

    const got = await h.request('GET', `Users/${created.id}`);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toContain('application/scim+json');
    expect(got.headers.get('etag')).toBe(created.meta.version);
    expect(got.body.userName).toBe('alice@example.com');
    expect(got.body.name).toEqual({ givenName: 'Alice', familyName: 'Smith' });

    const put = await h.request('PUT', `Users/${created.id}`, {
      body: { schemas: [USER_SCHEMA], id: created.id, userName: 'alice@example.com', displayName: 'Alice S' },
    });
    expect(put.status).toBe(200);
    expect(put.body.displayName).toBe('Alice S');
    expect(put.body).not.toHaveProperty('name'); // omitted read-write attributes are cleared

    const patch = await h.request('PATCH', `Users/${created.id}`, {
      body: { schemas: [PATCH_SCHEMA], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] },
    });
    expect(patch.status).toBe(200);
    expect(patch.body.active).toBe(false);

    expect((await h.request('DELETE', `Users/${created.id}`)).status).toBe(204);
    expect((await h.request('GET', `Users/${created.id}`)).status).toBe(404);
  });

  it('should answer 409 uniqueness for a duplicate userName in any case', async () => {
    await createUser('Bob@Example.com');
    const dup = await h.request('POST', 'Users', {
      body: { schemas: [USER_SCHEMA], userName: 'bob@example.com' },
    });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '409',
      scimType: 'uniqueness',
    });
  });

  it('should give one 201 and nineteen 409s for 20 parallel creates of one userName', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        h.request('POST', 'Users', { body: { schemas: [USER_SCHEMA], userName: 'parallel@example.com' } }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(19);
  });

  it('should filter by userName case-insensitively and return an empty list for an unknown value', async () => {
    const u = await createUser('Carol.Case@Example.com');
    const found = await h.request(
      'GET',
      `Users?filter=${encodeURIComponent('userName eq "carol.case@example.com"')}`,
    );
    expect(found.status).toBe(200);
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources[0].id).toBe(u.id);
    const none = await h.request(
      'GET',
      `Users?filter=${encodeURIComponent('userName eq "5b7a3c1e-2d4f-4b8a-9c1d-0e2f3a4b5c6d"')}`,
    );
    expect(none.status).toBe(200);
    expect(none.body).toMatchObject({ totalResults: 0, Resources: [] });
  });

  it('should find a user by the work email value path filter and by externalId', async () => {
    const u = await createUser('dora', {
      externalId: 'EXT-42',
      emails: [
        { value: 'dora@home.example', type: 'home' },
        { value: 'Dora@Work.example', type: 'work' },
      ],
    });
    const byEmail = await h.request(
      'GET',
      `Users?filter=${encodeURIComponent('emails[type eq "work"].value eq "dora@work.example"')}`,
    );
    expect(byEmail.body.Resources.map((r: { id: string }) => r.id)).toEqual([u.id]);
    const byExt = await h.request('GET', `Users?filter=${encodeURIComponent('externalId eq "EXT-42"')}`);
    expect(byExt.body.Resources.map((r: { id: string }) => r.id)).toEqual([u.id]);
  });

  it('should answer 400 invalidFilter for a bad filter, never ignoring it', async () => {
    const bad = await h.request('GET', `Users?filter=${encodeURIComponent('userName eq')}`);
    expect(bad.status).toBe(400);
    expect(bad.body.scimType).toBe('invalidFilter');
    expect(bad.body.detail).toEqual(expect.any(String));
    const unknown = await h.request('GET', `Users?filter=${encodeURIComponent('nickname2 eq "x"')}`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.scimType).toBe('invalidFilter');
  });

  it('should answer SCIM errors for malformed bodies', async () => {
    const cases: [string, number, string | undefined][] = [
      ['{not json', 400, 'invalidSyntax'],
      ['[]', 400, undefined],
      ['{"schemas":["' + USER_SCHEMA + '"],"userName":"x","__proto__":{"polluted":1}}', 400, undefined],
      ['{"schemas":["' + USER_SCHEMA + '"],"userName":"x","bogusAttribute":1}', 400, undefined],
      ['{"schemas":["' + USER_SCHEMA + '"],"userName":{"first":"x"}}', 400, undefined],
      ['{"schemas":["' + USER_SCHEMA + '"],"userName":"x","active":"maybe"}', 400, undefined],
      ['{"schemas":["' + USER_SCHEMA + '"]}', 400, undefined],
    ];
    for (const [rawBody, status, scimType] of cases) {
      const res = await h.request('POST', 'Users', {
        rawBody,
        headers: { 'content-type': 'application/scim+json' },
      });
      expect([res.status, rawBody]).toEqual([status, rawBody]);
      expect(res.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
      expect(scimType === undefined || res.body.scimType === scimType).toBe(true);
      expect(res.body.detail).toEqual(expect.any(String));
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const huge = await h.request('POST', 'Users', {
      rawBody: JSON.stringify({ userName: 'x'.repeat(2_000_000) }),
    });
    expect(huge.status).toBe(413);
  });

  it('should honour If-Match and If-None-Match', async () => {
    const u = await createUser('etag@example.com');
    const stale = await h.request('PUT', `Users/${u.id}`, {
      body: { schemas: [USER_SCHEMA], userName: 'etag@example.com' },
      headers: { 'if-match': 'W/"999"' },
    });
    expect(stale.status).toBe(412);
    const fresh = await h.request('PUT', `Users/${u.id}`, {
      body: { schemas: [USER_SCHEMA], userName: 'etag@example.com', title: 'x' },
      headers: { 'if-match': u.meta.version },
    });
    expect(fresh.status).toBe(200);
    const notModified = await h.request('GET', `Users/${u.id}`, {
      headers: { 'if-none-match': fresh.body.meta.version },
    });
    expect(notModified.status).toBe(304);
  });

  it('should answer 404 for a path with malformed percent-encoding', async () => {
    const res = await h.request('GET', `${h.baseUrl}/Users/%E0%A4%A`);
    expect(res.status).toBe(404);
    expect(res.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
  });

  it('should treat resource paths case-insensitively and accept application/json', async () => {
    const res = await h.request('GET', `${h.baseUrl}/users?count=1`, {
      headers: { accept: 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(res.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:ListResponse']);
  });

  it('should page with startIndex/count in a stable order and with cursors', async () => {
    const tenant = 'paging';
    const token = await h.issueToken(tenant);
    const base = `/scim/v2/${tenant}/default`;
    for (let i = 0; i < 12; i++) {
      const r = await h.request('POST', `${base}/Users`, {
        token,
        body: { schemas: [USER_SCHEMA], userName: `page${i}` },
      });
      expect(r.status).toBe(201);
    }
    const ids: string[] = [];
    for (let start = 1; start <= 12; start += 5) {
      const page = await h.request('GET', `${base}/Users?startIndex=${start}&count=5`, { token });
      expect(page.body).toMatchObject({ totalResults: 12, startIndex: start });
      ids.push(...page.body.Resources.map((r: { id: string }) => r.id));
    }
    expect(new Set(ids).size).toBe(12);
    const twice = await h.request('GET', `${base}/Users?startIndex=6&count=3`, { token });
    expect(twice.body.Resources.map((r: { id: string }) => r.id)).toEqual(ids.slice(5, 8));

    const viaCursor: string[] = [];
    let cursor = '';
    for (;;) {
      const page = await h.request('GET', `${base}/Users?count=5&cursor=${encodeURIComponent(cursor)}`, {
        token,
      });
      expect(page.status).toBe(200);
      viaCursor.push(...page.body.Resources.map((r: { id: string }) => r.id));
      if (!page.body.nextCursor) break;
      cursor = page.body.nextCursor;
    }
    expect(viaCursor).toEqual(ids);
    const badCursor = await h.request('GET', `${base}/Users?cursor=garbage`, { token });
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.scimType).toBe('invalidCursor');
  });
});

describe('SCIM Groups over HTTP', () => {
  it('should create a group, add and remove members with 204, and hide members when excluded', async () => {
    const a = await createUser('member-a@example.com');
    const b = await createUser('member-b@example.com');
    const g = await h.request('POST', 'Groups', {
      body: {
        schemas: [GROUP_SCHEMA, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
        displayName: 'Engineers',
        members: [],
      },
    });
    expect(g.status).toBe(201);
    const add = await h.request('PATCH', `Groups/${g.body.id}`, {
      body: {
        schemas: [PATCH_SCHEMA],
        Operations: [
          {
            op: 'Add',
            path: 'members',
            value: [
              { $ref: null, value: a.id },
              { $ref: null, value: b.id },
            ],
          },
        ],
      },
    });
    expect(add.status).toBe(204);
    const full = await h.request('GET', `Groups/${g.body.id}`);
    expect(full.body.members.map((m: { value: string }) => m.value).sort()).toEqual([a.id, b.id].sort());
    const slim = await h.request('GET', `Groups/${g.body.id}?excludedAttributes=members`);
    expect(slim.body).not.toHaveProperty('members');
    expect(slim.body.displayName).toBe('Engineers');

    const remove = await h.request('PATCH', `Groups/${g.body.id}`, {
      body: { schemas: [PATCH_SCHEMA], Operations: [{ op: 'remove', path: `members[value eq "${a.id}"]` }] },
    });
    expect(remove.status).toBe(204);
    const after = await h.request('GET', `Groups/${g.body.id}`);
    expect(after.body.members.map((m: { value: string }) => m.value)).toEqual([b.id]);

    const byName = await h.request(
      'GET',
      `Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "engineers"')}`,
    );
    expect(byName.body.totalResults).toBe(1);
    expect(byName.body.Resources[0]).not.toHaveProperty('members');
  });

  it('should lose none of 30 parallel member adds', async () => {
    const g = await h.request('POST', 'Groups', {
      body: { schemas: [GROUP_SCHEMA], displayName: 'Parallel' },
    });
    const users = await Promise.all(
      Array.from({ length: 30 }, (_, i) => createUser(`par-member-${i}@example.com`)),
    );
    const results = await Promise.all(
      users.map((u) =>
        h.request('PATCH', `Groups/${g.body.id}`, {
          body: {
            schemas: [PATCH_SCHEMA],
            Operations: [{ op: 'add', path: 'members', value: [{ value: u.id }] }],
          },
        }),
      ),
    );
    expect(results.every((r) => r.status === 204)).toBe(true);
    const full = await h.request('GET', `Groups/${g.body.id}`);
    expect(full.body.members).toHaveLength(30);
  });

  it('should remove a deleted user from its groups', async () => {
    const u = await createUser('deleted-member@example.com');
    const g = await h.request('POST', 'Groups', {
      body: { schemas: [GROUP_SCHEMA], displayName: 'Cleanup', members: [{ value: u.id }] },
    });
    expect(g.status).toBe(201);
    expect(g.body.members).toHaveLength(1);
    expect((await h.request('DELETE', `Users/${u.id}`)).status).toBe(204);
    const after = await h.request('GET', `Groups/${g.body.id}`);
    expect(after.body.members ?? []).toEqual([]); // an empty multi-valued attribute is omitted
  });

  it('should store enterprise attributes and return them', async () => {
    const u = await createUser('ent@example.com', {
      schemas: [USER_SCHEMA, ENTERPRISE],
      [ENTERPRISE]: { department: 'R&D', employeeNumber: '42' },
    });
    const got = await h.request('GET', `Users/${u.id}`);
    expect(got.body[ENTERPRISE]).toEqual({ department: 'R&D', employeeNumber: '42' });
    expect(got.body.schemas).toEqual(expect.arrayContaining([USER_SCHEMA, ENTERPRISE]));
  });
});

describe('authentication and discovery', () => {
  it('should refuse requests without or with bad credentials, with WWW-Authenticate', async () => {
    const none = await h.request('GET', 'Users', { token: null });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
    expect(none.headers.get('www-authenticate')).not.toMatch(/error=/);
    const bad = await h.request('GET', 'Users', { token: 'scgb_nottherightshape' });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    expect(bad.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
  });

  it('should not let one tenant read another tenant', async () => {
    const u = await createUser('private@example.com');
    const otherToken = await h.issueToken('intruder');
    const cross = await h.request('GET', `Users/${u.id}`, { token: otherToken });
    expect(cross.status).toBe(401);
    const own = await h.request('GET', `/scim/v2/intruder/default/Users/${u.id}`, { token: otherToken });
    expect(own.status).toBe(404);
  });

  it('should serve ServiceProviderConfig, ResourceTypes and Schemas', async () => {
    const spc = await h.request('GET', 'ServiceProviderConfig');
    expect(spc.status).toBe(200);
    expect(spc.body.patch.supported).toBe(true);
    const rts = await h.request('GET', 'ResourceTypes');
    expect(rts.body.Resources.map((r: { id: string }) => r.id).sort()).toEqual(['Group', 'User']);
    const schemas = await h.request('GET', 'Schemas');
    expect(schemas.body.Resources.map((r: { id: string }) => r.id)).toEqual(
      expect.arrayContaining([USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE]),
    );
    const one = await h.request('GET', `Schemas/${USER_SCHEMA}`);
    expect(one.body.attributes.map((a: { name: string }) => a.name)).toContain('userName');
  });
});

describe('password handling', () => {
  it('should never store or return a password sent on create', async () => {
    const res = await h.request('POST', 'Users', {
      body: { schemas: [USER_SCHEMA], userName: 'pw@example.com', password: 'Okta-Placeholder-1!' },
    });
    expect(res.status).toBe(201);
    const stored = await h.container.doc.send(
      new (await import('../../shared/adapters/dynamodb/commands')).ScanCommand({
        TableName: h.container.config.TABLE_NAME,
      }),
    );
    expect(JSON.stringify(stored.Items)).not.toContain('Okta-Placeholder-1!');
    const got = await h.request('GET', `Users/${res.body.id}?attributes=password`);
    expect(got.body).not.toHaveProperty('password');
  });
});
