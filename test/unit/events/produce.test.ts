/**
 * The producer (pure): stream records as Lambda delivers them (DynamoDB JSON images) → decoded item changes →
 * typed events. What each change means, what it does not, and stable ids.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import { decodeStreamRecord, type StreamRecordLike } from '../../../shared/adapters/dynamodb/stream-records';
import { ChangeEventSchema } from '../../../shared/domain/events/model';
import { changedAttributePaths, eventsOf } from '../../../shared/domain/events/produce';
import { keys } from '../../../shared/adapters/dynamodb/table-design';

const SCOPE = keys.scope('acme', 'default');
const WRITER = { credentialId: 'cred-1', idp: 'entra', at: '2026-01-01T00:00:00.000Z' };

function record(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  key: { pk: string; sk: string },
  images: { old?: Record<string, unknown>; new?: Record<string, unknown> },
  extra: Partial<StreamRecordLike> = {},
): StreamRecordLike {
  return {
    eventID: `evt-${Math.random()}`,
    eventName,
    dynamodb: {
      Keys: marshall(key),
      ...(images.new
        ? { NewImage: marshall({ ...key, ...images.new }, { convertClassInstanceToMap: true }) }
        : {}),
      ...(images.old
        ? { OldImage: marshall({ ...key, ...images.old }, { convertClassInstanceToMap: true }) }
        : {}),
      ApproximateCreationDateTime: 1_767_225_600,
      SequenceNumber: '1',
    },
    ...extra,
  };
}

const user = (version: number, data: Record<string, unknown>, more: Record<string, unknown> = {}) => ({
  kind: 'User',
  data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], ...data },
  version,
  created: '2026-01-01T00:00:00.000Z',
  lastModified: `2026-01-01T00:00:0${version}.000Z`,
  nameKey: 'x',
  writer: WRITER,
  ...more,
});

const userKey = { pk: keys.resources(SCOPE, 'User'), sk: 'u1' };
const produce = (r: StreamRecordLike) => {
  const change = decodeStreamRecord(r);
  return change ? eventsOf(change) : [];
};

describe('producer', () => {
  it('a created user: one user.created with the resource, its version and its writer', () => {
    const [event, ...rest] = produce(
      record('INSERT', userKey, { new: user(1, { userName: 'ada', active: true }) }),
    );
    expect(rest).toEqual([]);
    expect(ChangeEventSchema.parse(event)).toEqual(event);
    expect(event).toMatchObject({
      type: 'user.created',
      tenant: 'acme',
      endpoint: 'default',
      resourceType: 'User',
      resourceId: 'u1',
      version: 1,
      actor: { credentialId: 'cred-1', idp: 'entra' },
      data: { id: 'u1', userName: 'ada', meta: { resourceType: 'User', version: 'W/"1"' } },
    });
  });

  it('active true → false is one user.deactivated; false → true one user.reactivated; both with other changes add user.updated', () => {
    const off = produce(
      record('MODIFY', userKey, {
        old: user(1, { userName: 'ada', active: true }),
        new: user(2, { userName: 'ada', active: false }),
      }),
    );
    expect(off.map((e) => e.type)).toEqual(['user.deactivated']);
    const on = produce(
      record('MODIFY', userKey, {
        old: user(2, { userName: 'ada', active: false }),
        new: user(3, { userName: 'ada' }),
      }),
    );
    expect(on.map((e) => e.type)).toEqual(['user.reactivated']);
    const both = produce(
      record('MODIFY', userKey, {
        old: user(3, { userName: 'ada', active: true }),
        new: user(4, { userName: 'ada2', active: false }),
      }),
    );
    expect(both.map((e) => [e.type, e.changedAttributes])).toEqual([
      ['user.deactivated', undefined],
      ['user.updated', ['userName']],
    ]);
    expect(new Set(both.map((e) => e.id)).size).toBe(2);
  });

  it('membership bookkeeping on a user or group item (memberOf, a version bump) is no event', () => {
    const before = user(1, { userName: 'ada' });
    expect(
      produce(
        record('MODIFY', userKey, { old: before, new: { ...before, memberOf: new Set(['g1']), mv: 1 } }),
      ),
    ).toEqual([]);
    const groupKey = { pk: keys.resources(SCOPE, 'Group'), sk: 'g1' };
    const group = { ...user(1, { displayName: 'Eng' }), kind: 'Group' };
    expect(produce(record('MODIFY', groupKey, { old: group, new: { ...group, version: 2 } }))).toEqual([]);
  });

  it('membership items: INSERT is member_added (attributed), REMOVE member_removed, MODIFY nothing', () => {
    const key = { pk: keys.members(SCOPE, 'g1'), sk: 'u1' };
    const added = produce(record('INSERT', key, { new: { type: 'User', writer: WRITER } }));
    expect(added).toEqual([
      expect.objectContaining({
        type: 'group.member_added',
        resourceType: 'Group',
        resourceId: 'g1',
        member: { value: 'u1', type: 'User' },
        actor: { credentialId: 'cred-1', idp: 'entra' },
        time: WRITER.at,
      }),
    ]);
    const removed = produce(record('REMOVE', key, { old: { type: 'User', writer: WRITER } }));
    expect(removed).toEqual([expect.objectContaining({ type: 'group.member_removed', actor: null })]);
    expect(
      produce(record('MODIFY', key, { old: { type: 'User' }, new: { type: 'User', display: 'x' } })),
    ).toEqual([]);
  });

  it('staged membership changes: a staged add or removal is announced, undoing it announces the reverse, erasing a tombstone is nothing', () => {
    const key = { pk: keys.members(SCOPE, 'g1'), sk: 'u1' };
    const types = (r: StreamRecordLike) => produce(r).map((e) => e.type);
    const item = { type: 'User', writer: WRITER };
    // A large add, staged on the item (committed or not: undoing it removes the item, below).
    expect(types(record('INSERT', key, { new: { ...item, pend: 'c1', pop: 'add' } }))).toEqual([
      'group.member_added',
    ]);
    expect(types(record('REMOVE', key, { old: { ...item, pend: 'c1', pop: 'add' } }))).toEqual([
      'group.member_removed',
    ]);
    // A large removal: the item is marked, later its tombstone erased; undoing the mark restores the member.
    expect(types(record('MODIFY', key, { old: item, new: { ...item, pend: 'c2', pop: 'rm' } }))).toEqual([
      'group.member_removed',
    ]);
    expect(types(record('REMOVE', key, { old: { ...item, pend: 'c2', pop: 'rm' } }))).toEqual([]);
    expect(types(record('MODIFY', key, { old: { ...item, pend: 'c2', pop: 'rm' }, new: item }))).toEqual([
      'group.member_added',
    ]);
    // A renamed group's copy of its name on the item.
    expect(types(record('MODIFY', key, { old: item, new: { ...item, gname: 'renamed' } }))).toEqual([]);
  });

  it('a removed resource is deleted at the next version; TTL expiry and unknown items are nothing', () => {
    const [deleted] = produce(record('REMOVE', userKey, { old: user(3, { userName: 'ada' }) }));
    expect(deleted).toMatchObject({
      type: 'user.deleted',
      version: 4,
      actor: null,
      time: '2026-01-01T00:00:00.000Z',
    });
    expect(deleted?.data).toBeUndefined();
    const ttl = record('REMOVE', userKey, { old: user(3, {}) }, { userIdentity: { type: 'Service' } });
    expect(produce(ttl)).toEqual([]);
    for (const pk of [
      keys.counter(SCOPE, 'User'),
      keys.uniqueName(SCOPE, 'User', 'ada'),
      keys.events('acme'),
    ]) {
      expect(produce(record('INSERT', { pk, sk: '-' }, { new: { n: 1 } }))).toEqual([]);
    }
  });

  it('credential audit entries become credential events (never the reminder recipient)', () => {
    const audit = (type: string, detail: Record<string, unknown> = {}) =>
      record(
        'INSERT',
        { pk: `${keys.tenant('acme')}#AUDIT`, sk: `t#${type}` },
        {
          new: {
            tenantId: 'acme',
            id: 'a',
            at: '2026-01-02T00:00:00.000Z',
            type,
            actor: 'system',
            credentialId: 'c1',
            detail,
          },
        },
      );
    expect(produce(audit('credential.deactivated'))[0]).toMatchObject({
      type: 'credential.deactivated_idle',
      resourceType: 'Credential',
      resourceId: 'c1',
      actor: { credentialId: null, idp: null, principal: 'system' },
    });
    const expiring = produce(audit('credential.reminder-sent', { to: 'ops@example.com', slot: 'exp-7' }))[0];
    expect(expiring).toMatchObject({ type: 'credential.expiring', data: { id: 'c1', slot: 'exp-7' } });
    expect(JSON.stringify(expiring)).not.toContain('ops@example.com');
    expect(produce(audit('auth.refused'))).toEqual([]);
    // The per-credential copy of an audit entry is not a second event.
    const copy = record(
      'INSERT',
      { pk: `${keys.tenant('acme')}#AUDIT#CRED#c1`, sk: 'x' },
      {
        new: { type: 'credential.created', at: 'x', actor: 'a', credentialId: 'c1' },
      },
    );
    expect(produce(copy)).toEqual([]);
  });

  it('ids are stable for a redelivered record and differ between records', () => {
    const r = record('INSERT', userKey, { new: user(1, { userName: 'ada' }) });
    expect(produce(r)[0]?.id).toBe(produce(r)[0]?.id);
    expect(produce({ ...r, eventID: 'other' })[0]?.id).not.toBe(produce(r)[0]?.id);
  });

  it('changed attribute paths: sub-attributes of complex and extension attributes, sorted; equal data gives none', () => {
    const ext = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
    expect(
      changedAttributePaths(
        {
          userName: 'a',
          name: { givenName: 'A', familyName: 'B' },
          [ext]: { department: 'x' },
          emails: [{ value: 'a' }],
        },
        {
          userName: 'a',
          name: { givenName: 'Z', familyName: 'B' },
          [ext]: { department: 'y' },
          title: 't',
          emails: [{ value: 'b' }],
        },
      ),
    ).toEqual(['emails', 'name.givenName', 'title', `${ext}:department`]);
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (data) => {
        expect(changedAttributePaths(data, structuredClone(data))).toEqual([]);
      }),
    );
  });
});
