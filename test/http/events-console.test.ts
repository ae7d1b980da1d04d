/**
 * The events API for console sessions (GET /console/api/events, docs/events.md): the session's tenant only (no
 * route names one), every role from viewer up, the same cursor paging and the same error shape as the management
 * API's events route.
 */
import { signIn, type ConsoleClient } from '../support/console-client';
import { startManagementHarness, type ManagementHarness } from '../support/management-harness';

const A = 'evca';
const B = 'evcb';

describe('console events API', () => {
  let h: ManagementHarness;
  let viewer: ConsoleClient;
  let ownerB: ConsoleClient;

  /** The session tenant's events, page by page (3 at a time), once at least `count` are there. */
  const readAll = async (client: ConsoleClient, count: number) => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const events: { type: string; tenant: string; resourceId: string }[] = [];
      let after = '';
      for (;;) {
        const res = await client.request('GET', `/events?limit=3${after ? `&after=${after}` : ''}`);
        expect(res.status).toBe(200);
        events.push(...res.body.events);
        if (res.body.events.length === 0) break;
        after = res.body.next;
      }
      if (events.length >= count || Date.now() > deadline) return events;
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  beforeAll(async () => {
    h = await startManagementHarness({ events: true });
    for (const t of [A, B]) {
      const created = await h.request('POST', '/tenants', { body: { id: t, name: t } });
      if (created.status !== 201) throw new Error(`tenant ${t}: ${created.status}`);
    }
    viewer = await signIn(h, A, 'vera@a.example.com', 'viewer');
    ownerB = await signIn(h, B, 'bob@b.example.com', 'owner');
  });
  afterAll(() => h.close());

  it("lists the session tenant's change events to a viewer, in order, paged by cursor, never another tenant's", async () => {
    const issued: string[] = [];
    for (const name of ['one', 'two', 'three', 'four']) {
      const res = await h.request('POST', `/tenants/${A}/credentials`, {
        body: { kind: 'bearer', name, lifetimeDays: 30 },
      });
      expect(res.status).toBe(201);
      issued.push(res.body.credential.id);
    }
    const other = await h.request('POST', `/tenants/${B}/credentials`, {
      body: { kind: 'bearer', name: 'b', lifetimeDays: 30 },
    });
    expect(other.status).toBe(201);

    const mine = (await readAll(viewer, issued.length)).filter((e) => e.type === 'credential.created');
    expect(mine.map((e) => e.resourceId)).toEqual(issued);
    expect(new Set(mine.map((e) => e.tenant))).toEqual(new Set([A]));

    const theirs = (await readAll(ownerB, 1)).filter((e) => e.type === 'credential.created');
    expect(theirs.map((e) => e.resourceId)).toEqual([other.body.credential.id]);
  }, 60_000);

  it('answers a bad cursor or limit with 400 in the API error shape, and no session with 401', async () => {
    const cursor = await viewer.request('GET', '/events?after=not-a-cursor');
    expect(cursor.status).toBe(400);
    expect(cursor.body.error.message).toContain('cursor');

    const limit = await viewer.request('GET', '/events?limit=5000');
    expect(limit.status).toBe(400);
    expect(limit.body.error.message).toContain('limit');

    const anonymous = await viewer.request('GET', '/events', { cookie: null });
    expect(anonymous.status).toBe(401);
  });
});
