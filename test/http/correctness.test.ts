/** Gaps an adversarial probe found: sortBy names, filtered names in attributes, PATCH scimTypes, /Me. */
import { startHarness, type Harness } from '../support/harness';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

let h: Harness;
let userId = '';
beforeAll(async () => {
  h = await startHarness({ tenantId: 'correct' });
  for (const [userName, familyName] of [
    ['c@x.example', 'Charlie'],
    ['a@x.example', 'alpha'],
    ['b@x.example', 'Bravo'],
  ]) {
    const res = await h.request('POST', 'Users', {
      body: {
        schemas: [USER_SCHEMA],
        userName,
        name: { familyName },
        emails: [
          { type: 'work', value: `work-${userName}` },
          { type: 'home', value: `home-${userName}` },
        ],
        [ENTERPRISE]: { department: familyName },
      },
    });
    userId = res.body.id as string;
  }
});
afterAll(async () => {
  await h.close();
});

const names = (body: { Resources: { userName: string }[] }) => body.Resources.map((r) => r.userName);

describe('sortBy', () => {
  it('should sort by a fully qualified core name as by its short name', async () => {
    const short = await h.request('GET', 'Users?sortBy=name.familyName');
    const urn = await h.request(
      'GET',
      `Users?sortBy=${encodeURIComponent(`${USER_SCHEMA}:name.familyName`)}`,
    );
    expect(urn.status).toBe(200);
    expect(names(urn.body)).toEqual(['a@x.example', 'b@x.example', 'c@x.example']);
    expect(names(urn.body)).toEqual(names(short.body));
    const ext = await h.request(
      'GET',
      `Users?sortOrder=descending&sortBy=${encodeURIComponent(`${ENTERPRISE}:department`)}`,
    );
    expect(names(ext.body)).toEqual(['c@x.example', 'b@x.example', 'a@x.example']);
  });

  it('should answer an unknown sortBy with 400 invalidValue on a full and on an empty collection', async () => {
    for (const path of [
      'Users?sortBy=shoeSize',
      'Groups?sortBy=shoeSize',
      'Groups?sortBy=urn:x:y:shoeSize',
    ]) {
      const res = await h.request('GET', path);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    }
    expect((await h.request('GET', 'Groups')).body.totalResults).toBe(0);
    expect((await h.request('GET', 'Groups?sortBy=displayName')).status).toBe(200);
    expect((await h.request('GET', 'Users?sortBy=meta.lastModified')).status).toBe(200);
  });
});

describe('attributes with a value filter', () => {
  it('should treat emails[type eq "work"] in attributes as emails', async () => {
    const res = await h.request(
      'GET',
      `Users/${userId}?attributes=${encodeURIComponent('emails[type eq "work"]')}`,
    );
    expect(res.status).toBe(200);
    expect(res.body.emails).toHaveLength(2);
    expect(res.body).not.toHaveProperty('userName');
    const sub = await h.request(
      'GET',
      `Users?attributes=${encodeURIComponent('userName,emails[type eq "work"].value')}`,
    );
    expect(sub.body.Resources[0].emails[0]).toEqual({ value: expect.any(String) });
    expect(sub.body.Resources[0]).toHaveProperty('userName');
    const excluded = await h.request(
      'GET',
      `Users/${userId}?excludedAttributes=${encodeURIComponent('emails[type eq "work"],name')}`,
    );
    expect(excluded.body).not.toHaveProperty('emails');
    expect(excluded.body).not.toHaveProperty('name');
    expect(excluded.body).toHaveProperty('userName');
  });
});

describe('PATCH of the Enterprise extension', () => {
  it.each([
    [{ op: 'add', path: ENTERPRISE, value: { shoeSize: 42 } }],
    [{ op: 'replace', path: ENTERPRISE, value: { 'urn:x': 1 } }],
    [{ op: 'add', value: { [ENTERPRISE]: { shoeSize: 42 } } }],
    [{ op: 'add', path: ENTERPRISE, value: 'not an object' }],
  ])('should answer a wrong-shaped value %j with 400 invalidValue, as POST does', async (operation) => {
    const res = await h.request('PATCH', `Users/${userId}`, {
      body: { schemas: [PATCH_SCHEMA], Operations: [operation] },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    const post = await h.request('POST', 'Users', {
      body: { schemas: [USER_SCHEMA], userName: 'shape@x.example', [ENTERPRISE]: { shoeSize: 42 } },
    });
    expect(post.body.scimType).toBe('invalidValue');
  });
});

describe('/Me', () => {
  it.each(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])(
    'should answer %s /Me with 501 and a SCIM error',
    async (m) => {
      const res = await h.request(
        m,
        'Me',
        m === 'GET' || m === 'DELETE' ? {} : { body: { schemas: [USER_SCHEMA] } },
      );
      expect(res.status).toBe(501);
      expect(res.body).toMatchObject({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
        status: '501',
      });
    },
  );

  it('should still ask for a credential first', async () => {
    expect((await h.request('GET', 'Me', { token: null })).status).toBe(401);
  });
});

describe('Groups sort', () => {
  it('should sort groups by a fully qualified displayName', async () => {
    for (const displayName of ['Zeta', 'alpha']) {
      await h.request('POST', 'Groups', { body: { schemas: [GROUP_SCHEMA], displayName } });
    }
    const res = await h.request('GET', `Groups?sortBy=${encodeURIComponent(`${GROUP_SCHEMA}:displayName`)}`);
    expect(res.body.Resources.map((g: { displayName: string }) => g.displayName)).toEqual(['alpha', 'Zeta']);
  });
});
