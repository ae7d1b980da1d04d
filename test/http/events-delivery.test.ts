/**
 * Delivery guarantees of the change events (docs/events.md): ordered per resource and nothing lost under 16
 * concurrent writers to the same resources; a consumer that fails half the time still ends with every event exactly
 * once after deduplication on `id`, and the events log itself stores each event once.
 */
import type { ChangeEvent, EventEntry, EventPublisher } from '../../shared/domain/events/model';
import { startHarness, type Harness } from '../support/harness';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const WRITERS = 16;

/** Fails every other call (half the time), after recording what it was given. */
class FlakyPublisher implements EventPublisher {
  received: ChangeEvent[] = [];
  failures = 0;
  private calls = 0;
  async publish(entries: EventEntry[]): Promise<void> {
    this.received.push(...entries.map((e) => e.event));
    if (this.calls++ % 2 === 0) {
      this.failures++;
      throw new Error('consumer down');
    }
  }
}

describe('event delivery', () => {
  let h: Harness;
  const flaky = new FlakyPublisher();
  beforeAll(async () => {
    h = await startHarness({ events: true, tenantId: 'deliv', eventPublishers: [flaky] });
  });
  afterAll(() => h.close());

  it('keeps per-resource order and loses nothing under 16 concurrent writers; a flaky consumer dedupes to exactly once', async () => {
    const user = await h.request('POST', 'Users', { body: { schemas: [USER], userName: 'shared' } });
    const group = await h.request('POST', 'Groups', { body: { schemas: [GROUP], displayName: 'shared' } });
    const userId = user.body.id as string;
    const groupId = group.body.id as string;
    const members: string[] = [];
    for (let i = 0; i < WRITERS; i++) {
      members.push(
        (await h.request('POST', 'Users', { body: { schemas: [USER], userName: `m${i}` } })).body.id,
      );
    }

    // On a loaded machine a keep-alive socket can be reset under 16 writers; a reset request is sent again. Resending
    // may repeat a write that was applied: the user's count of writes is its final version, and a repeated member
    // add or remove changes nothing.
    const send = async (...args: Parameters<Harness['request']>) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await h.request(...args);
        } catch (e) {
          if (attempt >= 3) throw e;
        }
      }
    };
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, w) => {
        for (let n = 0; n < 2; n++) {
          const res = await send('PATCH', `Users/${userId}`, {
            body: {
              schemas: [PATCH],
              Operations: [{ op: 'replace', path: 'displayName', value: `w${w}-${n}` }],
            },
          });
          statuses.push(res.status);
        }
        const member = members[w]!;
        for (const op of ['add', 'remove', 'add']) {
          const res = await send('PATCH', `Groups/${groupId}`, {
            body: {
              schemas: [PATCH],
              Operations:
                op === 'add'
                  ? [{ op: 'add', path: 'members', value: [{ value: member }] }]
                  : [{ op: 'remove', path: `members[value eq "${member}"]` }],
            },
          });
          expect(res.status).toBe(204);
        }
      }),
    );
    const userWrites =
      Number((await h.request('GET', `Users/${userId}`)).body.meta.version.match(/\d+/)[0]) - 1;
    expect(userWrites).toBeGreaterThan(0);
    // A writer that lost every retry is refused whole (503), never half-written.
    expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);

    // credential.created + 2 + 16 creations + every user write + 3 member events per writer.
    const expected = 1 + 2 + WRITERS + userWrites + 3 * WRITERS;
    const events = await h.waitForEvents(expected, { timeoutMs: 90_000 });
    expect(events).toHaveLength(expected);
    expect(new Set(events.map((e) => e.id)).size).toBe(expected);

    // Every version of the shared user, once, in increasing order.
    const versions = events.filter((e) => e.resourceId === userId).map((e) => e.version);
    expect(versions).toEqual(Array.from({ length: userWrites + 1 }, (_, i) => i + 1));
    // Each member's events in the order of its writer's requests.
    for (const member of members) {
      const mine = events.filter((e) => e.member?.value === member).map((e) => e.type);
      expect(mine).toEqual(['group.member_added', 'group.member_removed', 'group.member_added']);
    }

    // The consumer saw failures and redeliveries, and still every event after deduplication on id.
    const deadline = Date.now() + 30_000;
    while (new Set(flaky.received.map((e) => e.id)).size < expected && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(flaky.failures).toBeGreaterThan(0);
    expect(flaky.received.length).toBeGreaterThan(expected);
    const deduped = new Map(flaky.received.map((e) => [e.id, e]));
    expect([...deduped.keys()].sort()).toEqual(events.map((e) => e.id).sort());
  }, 180_000);
});
