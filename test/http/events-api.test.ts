/**
 * The events API (GET /admin/v1/tenants/{tenant}/events), its Security Event Tokens verified against the published
 * JWKS, and the reconciliation path of docs/events.md (snapshot through a read-only SCIM credential, then resume).
 */
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { ChangeEvent } from '../../shared/domain/events/model';
import { issuedSecrets } from '../support/harness';
import { startManagementHarness, type ManagementHarness } from '../support/management-harness';

const TENANT = 'shop';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describe('events API', () => {
  let h: ManagementHarness;
  let writer: string;
  let reader: string;
  const scim = (method: string, path: string, token: string, body?: unknown) =>
    h.request(method, `/scim/v2/${TENANT}/default/${path}`, {
      adminKey: null,
      headers: { authorization: `Bearer ${token}`, 'user-agent': 'Okta SCIM Client 1.0.0' },
      ...(body !== undefined ? { body } : {}),
    });
  const issue = async (roles: string) => {
    const res = await h.request('POST', `/tenants/${TENANT}/credentials`, {
      body: { kind: 'bearer', name: roles, roles },
    });
    if (res.status !== 201) throw new Error(`issue: ${res.status}`);
    issuedSecrets.push(res.body.secret);
    return res.body.secret as string;
  };
  /** Every event after `after`, following `next` page by page (limit 2 to exercise paging). */
  const readAll = async (after = '') => {
    const out: ChangeEvent[] = [];
    let cursor = after;
    for (;;) {
      const res = await h.request('GET', `/tenants/${TENANT}/events?limit=2&after=${cursor}`);
      expect(res.status).toBe(200);
      out.push(...res.body.events);
      if (res.body.events.length === 0) return { events: out, next: res.body.next as string };
      cursor = res.body.next;
    }
  };
  const waitFor = async (count: number, after = '') => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const page = await readAll(after);
      if (page.events.length >= count || Date.now() > deadline) return page;
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  beforeAll(async () => {
    h = await startManagementHarness({ events: true });
    await h.credentials.ensureTenant(TENANT, 'Shop');
    writer = await issue('users-and-groups');
    reader = await issue('read-only');
  });
  afterAll(() => h.close());

  it('pages the tenant log in order with a cursor, and signs every event as a SET that verifies against the JWKS', async () => {
    const created = await scim('POST', 'Users', writer, { schemas: [USER], userName: 'grace' });
    expect(created.status).toBe(201);
    const page = await waitFor(3);
    expect(page.events.map((e) => e.type)).toEqual([
      'credential.created',
      'credential.created',
      'user.created',
    ]);
    expect(page.events[2]).toMatchObject({
      tenant: TENANT,
      endpoint: 'default',
      resourceType: 'User',
      resourceId: created.body.id,
      version: 1,
      actor: { idp: 'okta' },
      data: { userName: 'grace', id: created.body.id },
    });
    // Nothing new: the same cursor comes back.
    const empty = await h.request('GET', `/tenants/${TENANT}/events?after=${page.next}`);
    expect(empty.body).toEqual({ events: [], next: page.next });

    const sets = await h.request('GET', `/tenants/${TENANT}/events?format=set`);
    const jwks = await h.request('GET', '/events/jwks.json');
    expect(jwks.status).toBe(200);
    expect(jwks.body.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(JSON.stringify(jwks.body)).not.toMatch(/"d"/);
    const keySet = createLocalJWKSet(jwks.body);
    for (const e of sets.body.events as (ChangeEvent & { set: string })[]) {
      const { payload, protectedHeader } = await jwtVerify(e.set, keySet, { typ: 'secevent+jwt' });
      expect(protectedHeader.alg).toBe('EdDSA');
      expect(payload.jti).toBe(e.id);
      expect(payload.aud).toBe(`urn:scimgate:tenant:${TENANT}`);
      expect((payload.events as Record<string, unknown>)['urn:scimgate:params:event']).toMatchObject({
        type: e.type,
        resourceId: e.resourceId,
      });
    }
    const userSet = (sets.body.events as (ChangeEvent & { set: string })[]).find(
      (e) => e.type === 'user.created',
    );
    const { payload } = await jwtVerify(userSet!.set, keySet);
    expect(payload.sub_id).toEqual({ format: 'scim', uri: `/Users/${created.body.id}` });
    expect(payload.events).toHaveProperty(
      ['urn:ietf:params:scim:event:prov:create:full', 'data', 'userName'],
      'grace',
    );
    // A token altered in transit does not verify.
    const [head, body, sig] = userSet!.set.split('.');
    const forged = `${head}.${body}x.${sig}`;
    await expect(jwtVerify(forged, keySet)).rejects.toThrow();
  });

  it('answers bad cursors, limits and tenants in the API error shape', async () => {
    const bad = await h.request('GET', `/tenants/${TENANT}/events?after=abc`);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ status: 400, message: expect.stringContaining('after') });
    expect((await h.request('GET', `/tenants/${TENANT}/events?limit=0`)).status).toBe(400);
    expect((await h.request('GET', `/tenants/${TENANT}/events?limit=5000`)).status).toBe(400);
    expect((await h.request('GET', `/tenants/${TENANT}/events?format=xml`)).status).toBe(400);
    expect((await h.request('GET', `/tenants/${TENANT}/events?nope=1`)).status).toBe(400);
    expect((await h.request('GET', '/tenants/nobody/events')).status).toBe(404);
    expect((await h.request('GET', `/tenants/${TENANT}/events`, { adminKey: null })).status).toBe(401);
  });

  it('reconciles: a snapshot through a read-only credential plus the events after a cursor give the current state', async () => {
    const ids: string[] = [];
    for (const name of ['r1', 'r2', 'r3']) {
      const res = await scim('POST', 'Users', writer, { schemas: [USER], userName: name, active: true });
      ids.push(res.body.id);
    }
    // The application lost its place: note where the log ends, then snapshot with cursor paging.
    const { next: mark } = await readAll();
    const state = new Map<string, { version: number; active: boolean; userName: string }>();
    let cursor = '';
    for (;;) {
      const page = await scim('GET', `Users?count=2&cursor=${cursor}`, reader);
      expect(page.status).toBe(200);
      for (const u of page.body.Resources)
        state.set(u.id, {
          version: Number(/\d+/.exec(u.meta.version)?.[0]),
          active: u.active !== false,
          userName: u.userName,
        });
      if (!page.body.nextCursor) break;
      cursor = page.body.nextCursor;
    }
    // Writes after the snapshot (and some racing it) arrive as events after the mark.
    await scim('PATCH', `Users/${ids[0]}`, writer, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    });
    await scim('PATCH', `Users/${ids[1]}`, writer, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', path: 'userName', value: 'r2-renamed' }],
    });
    expect((await scim('DELETE', `Users/${ids[2]}`, writer)).status).toBe(204);
    const { events } = await waitFor(3, mark);
    // Apply idempotently: an event older than what the snapshot holds changes nothing.
    for (const e of events) {
      if (e.resourceType !== 'User') continue;
      const held = state.get(e.resourceId);
      if (held && e.version !== undefined && e.version <= held.version) continue;
      if (e.type === 'user.deleted') state.delete(e.resourceId);
      else if (e.data) {
        state.set(e.resourceId, {
          version: e.version ?? 0,
          active: e.data.active !== false,
          userName: String(e.data.userName),
        });
      }
    }
    const truth = await scim('GET', 'Users?count=100', reader);
    const expected = new Map(
      (
        truth.body.Resources as {
          id: string;
          meta: { version: string };
          active?: boolean;
          userName: string;
        }[]
      ).map((u) => [
        u.id,
        {
          version: Number(/\d+/.exec(u.meta.version)?.[0]),
          active: u.active !== false,
          userName: u.userName,
        },
      ]),
    );
    expect(state).toEqual(expected);
    expect(state.get(ids[0]!)?.active).toBe(false);
    expect(state.get(ids[1]!)?.userName).toBe('r2-renamed');
    expect(state.has(ids[2]!)).toBe(false);
  });
});
