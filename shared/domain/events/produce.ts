/**
 * The producer: turns one stored change (an item's old and new image, decoded by the storage adapter) into the
 * change events it means. Pure: no I/O, no clock, no randomness. Event ids derive from the change record's id, so a
 * redelivered record yields the same events (consumers deduplicate on `id`).
 */
import { createHash } from 'node:crypto';
import type { ResourceKind } from '../ports';
import type { Actor, ChangeEvent, EventType } from './model';

/** Who wrote an item: recorded on the item in the write itself (no extra round trip). */
export interface Writer {
  credentialId: string;
  idp: string | null;
}

/** A resource item's image as the producer needs it. */
export interface ResourceImage {
  data: Record<string, unknown>;
  version: number;
  created: string;
  lastModified: string;
  writer?: Writer;
}

interface ChangeBase {
  /** Unique id of the change record (stable across redeliveries). */
  recordId: string;
  /** When the change was recorded (ISO 8601), for changes whose item carries no time. */
  recordedAt: string;
  tenantId: string;
}

/** One item change, as the storage adapter decodes a stream record. */
export type ItemChange =
  | (ChangeBase & {
      kind: 'resource';
      endpointId: string;
      resourceType: ResourceKind;
      id: string;
      old?: ResourceImage;
      new?: ResourceImage;
    })
  | (ChangeBase & {
      kind: 'member';
      endpointId: string;
      groupId: string;
      member: { value: string; type: ResourceKind };
      op: 'added' | 'removed';
      writer?: Writer;
      at?: string;
    })
  | (ChangeBase & {
      kind: 'audit';
      type: string;
      credentialId?: string;
      at: string;
      actor: string;
      detail?: Record<string, unknown>;
    });

/** A UUID-shaped id derived from the record id and the event's position in it. */
export function eventIdOf(recordId: string, index: number): string {
  const h = createHash('sha256').update(`${recordId}#${index}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const actorOf = (writer: Writer | undefined): Actor | null =>
  writer ? { credentialId: writer.credentialId, idp: writer.idp } : null;

/** The SCIM representation of a stored resource (no members, no location: the stream knows no base URL). */
function representation(kind: ResourceKind, id: string, image: ResourceImage): Record<string, unknown> {
  return {
    ...image.data,
    id,
    meta: {
      resourceType: kind,
      created: image.created,
      lastModified: image.lastModified,
      version: `W/"${image.version}"`,
    },
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Set);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

/**
 * Attribute paths that differ: top-level attributes, one level into complex attributes (`name.givenName`) and
 * into extension schemas (`urn:…:enterprise:2.0:User:department`). Sorted.
 */
export function changedAttributePaths(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): string[] {
  const out: string[] = [];
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = before[key];
    const b = after[key];
    if (deepEqual(a, b)) continue;
    if (isPlainObject(a) && isPlainObject(b)) {
      const sep = key.includes(':') ? ':' : '.';
      for (const sub of new Set([...Object.keys(a), ...Object.keys(b)])) {
        if (!deepEqual(a[sub], b[sub])) out.push(`${key}${sep}${sub}`);
      }
    } else {
      out.push(key);
    }
  }
  return out.sort();
}

const isActive = (data: Record<string, unknown>) => data.active !== false;

/** Audit entries that are credential lifecycle events, and the event each one is. */
const AUDIT_EVENTS: Record<string, EventType> = {
  'credential.created': 'credential.created',
  'credential.rotated': 'credential.rotated',
  'credential.reminder-sent': 'credential.expiring',
  'credential.expired': 'credential.expired',
  'credential.revoked': 'credential.revoked',
  // The only deactivation the service performs is the idle job's (admin removal unbinds instead).
  'credential.deactivated': 'credential.deactivated_idle',
};

function withoutRecipient(detail: Record<string, unknown> | undefined): Record<string, unknown> {
  const { to: _to, ...rest } = detail ?? {};
  return rest;
}

/** The events one item change means, in order (possibly none). */
export function eventsOf(change: ItemChange): ChangeEvent[] {
  const made: Omit<ChangeEvent, 'id'>[] = [];
  if (change.kind === 'resource') {
    const prefix = change.resourceType === 'User' ? 'user' : 'group';
    const base = {
      tenant: change.tenantId,
      endpoint: change.endpointId,
      resourceType: change.resourceType,
      resourceId: change.id,
    };
    const before = change.old;
    const after = change.new;
    if (after && !before) {
      made.push({
        ...base,
        type: `${prefix}.created`,
        version: after.version,
        time: after.lastModified,
        actor: actorOf(after.writer),
        data: representation(change.resourceType, change.id, after),
      });
    } else if (before && !after) {
      made.push({
        ...base,
        type: `${prefix}.deleted`,
        version: before.version + 1,
        time: change.recordedAt,
        actor: null,
      });
    } else if (before && after) {
      // Membership bookkeeping (memberOf, the group's version bump on a member change) changes no attribute.
      const paths = changedAttributePaths(before.data, after.data);
      const common = {
        ...base,
        version: after.version,
        time: after.lastModified,
        actor: actorOf(after.writer),
        data: representation(change.resourceType, change.id, after),
      };
      let rest = paths;
      if (change.resourceType === 'User' && isActive(before.data) !== isActive(after.data)) {
        made.push({ ...common, type: isActive(after.data) ? 'user.reactivated' : 'user.deactivated' });
        rest = paths.filter((p) => p !== 'active');
      }
      if (rest.length > 0) made.push({ ...common, type: `${prefix}.updated`, changedAttributes: rest });
    }
  } else if (change.kind === 'member') {
    made.push({
      type: change.op === 'added' ? 'group.member_added' : 'group.member_removed',
      tenant: change.tenantId,
      endpoint: change.endpointId,
      resourceType: 'Group',
      resourceId: change.groupId,
      time: change.at ?? change.recordedAt,
      actor: change.op === 'added' ? actorOf(change.writer) : null,
      member: change.member,
    });
  } else {
    const type = AUDIT_EVENTS[change.type];
    if (type && change.credentialId) {
      made.push({
        type,
        tenant: change.tenantId,
        resourceType: 'Credential',
        resourceId: change.credentialId,
        time: change.at,
        actor: { credentialId: null, idp: null, principal: change.actor },
        // The reminder's recipient address stays in the audit trail; the event says which reminder it was.
        data: { id: change.credentialId, ...withoutRecipient(change.detail) },
      });
    }
  }
  return made.map((e, i) => ({ id: eventIdOf(change.recordId, i), ...e }) as ChangeEvent);
}
