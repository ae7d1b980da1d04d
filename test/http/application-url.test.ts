/**
 * The application (bookmark) URL of tenants and endpoints over the management API: validated, stored, changed and
 * removed, and returned as `bookmarkUrl` in the connection details (the endpoint's own, else the tenant's).
 */
import { startManagementHarness, type ManagementHarness } from '../support/management-harness';

let h: ManagementHarness;
beforeAll(async () => {
  h = await startManagementHarness();
});
afterAll(async () => {
  await h.close();
});

const TENANT_URL = 'https://app.acme.example/login';
const HR_URL = 'https://hr.acme.example/sso?tenant=acme';

describe('application (bookmark) URL', () => {
  it('should refuse what is not an https URL (or http on the loopback) with 400 and store nothing', async () => {
    for (const applicationUrl of [
      'http://app.acme.example/',
      'javascript://app.acme.example/%0aalert(1)',
      'ftp://app.acme.example/',
      'https://user:secret@app.acme.example/',
      'not a url',
      `https://app.acme.example/${'x'.repeat(2100)}`,
      42,
    ]) {
      const res = await h.request('POST', '/tenants', { body: { id: 'refused', name: 'x', applicationUrl } });
      expect({ applicationUrl, status: res.status }).toEqual({ applicationUrl, status: 400 });
    }
    expect((await h.request('GET', '/tenants/refused')).status).toBe(404);
  });

  it('should return the endpoint URL, else the tenant URL, as bookmarkUrl of issued and rotated credentials', async () => {
    const created = await h.request('POST', '/tenants', {
      body: { id: 'acme', name: 'Acme', applicationUrl: TENANT_URL },
    });
    expect(created.status).toBe(201);
    expect(created.body.applicationUrl).toBe(TENANT_URL);
    const hr = await h.request('POST', '/tenants/acme/endpoints', {
      body: { id: 'hr', name: 'HR', applicationUrl: HR_URL },
    });
    expect(hr.status).toBe(201);
    expect((await h.request('POST', '/tenants/acme/endpoints', { body: { id: 'crm' } })).status).toBe(201);

    const issue = async (body: Record<string, unknown>) => {
      const res = await h.request('POST', '/tenants/acme/credentials', { body });
      expect(res.status).toBe(201);
      return res.body as { credential: { id: string }; connection: Record<string, string> };
    };
    const tenantWide = await issue({ kind: 'oauth-client', name: 'Entra' });
    const forHr = await issue({ kind: 'gateway', name: 'HR gateway', endpointId: 'hr' });
    const forCrm = await issue({ kind: 'basic', name: 'CRM', endpointId: 'crm' });
    expect(tenantWide.connection).toMatchObject({
      scimBaseUrl: `${h.server.origin}/scim/v2/acme/default`,
      bookmarkUrl: TENANT_URL,
    });
    expect(forHr.connection).toMatchObject({
      scimBaseUrl: `${h.server.origin}/scim/v2/acme/hr`,
      bookmarkUrl: HR_URL,
    });
    expect(forCrm.connection.bookmarkUrl).toBe(TENANT_URL);

    // The tenant's URL removed: only the endpoint's own remains.
    const removed = await h.request('PATCH', '/tenants/acme', { body: { applicationUrl: null } });
    expect(removed.status).toBe(200);
    expect(removed.body).not.toHaveProperty('applicationUrl');
    const rotated = await h.request('POST', `/tenants/acme/credentials/${forCrm.credential.id}/rotate`, {
      body: {},
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.connection).not.toHaveProperty('bookmarkUrl');
    const rotatedHr = await h.request('POST', `/tenants/acme/credentials/${forHr.credential.id}/rotate`, {
      body: {},
    });
    expect(rotatedHr.body.connection.bookmarkUrl).toBe(HR_URL);

    // An endpoint's URL set, changed and listed.
    const local = 'http://127.0.0.1:8443/crm';
    const set = await h.request('PATCH', '/tenants/acme/endpoints/crm', { body: { applicationUrl: local } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ id: 'crm', applicationUrl: local });
    const listed = await h.request('GET', '/tenants/acme/endpoints');
    expect(
      Object.fromEntries(
        (listed.body.endpoints as { id: string; applicationUrl?: string }[]).map((e) => [
          e.id,
          e.applicationUrl,
        ]),
      ),
    ).toEqual({ default: undefined, hr: HR_URL, crm: local });
    const audit = await h.request('GET', '/tenants/acme/audit?limit=20');
    expect(audit.body.events.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['tenant.updated', 'endpoint.updated']),
    );
  });

  it('should answer 404 for an unknown tenant or a deleted endpoint, and 400 for a bad body', async () => {
    expect(
      (await h.request('PATCH', '/tenants/nobody', { body: { applicationUrl: TENANT_URL } })).status,
    ).toBe(404);
    expect((await h.request('POST', '/tenants/acme/endpoints', { body: { id: 'gone' } })).status).toBe(201);
    expect((await h.request('DELETE', '/tenants/acme/endpoints/gone')).status).toBe(204);
    const gone = await h.request('PATCH', '/tenants/acme/endpoints/gone', {
      body: { applicationUrl: TENANT_URL },
    });
    expect(gone.status).toBe(404);
    expect(
      (await h.request('PATCH', '/tenants/acme/endpoints/never', { body: { applicationUrl: null } })).status,
    ).toBe(404);
    for (const body of [
      {},
      { applicationUrl: 'http://app.acme.example/' },
      { applicationUrl: TENANT_URL, name: 'x' },
    ]) {
      const res = await h.request('PATCH', '/tenants/acme', { body });
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
    }
  });
});
