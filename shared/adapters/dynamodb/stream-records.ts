/**
 * The one place that knows how the table's items look in its change stream (NEW_AND_OLD_IMAGES): decodes a stream
 * record (Lambda's DynamoDB event or the DynamoDB Streams API, same shape) into the domain's `ItemChange`, which the
 * pure producer (shared/domain/events/produce.ts) turns into events. Items it does not know (guards, counters,
 * bookmarks, credentials, the events log itself) decode to nothing.
 *
 * Key shapes follow shared/adapters/dynamodb/table-design.ts (`keys.*`); when they change, this module changes.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { ItemChange, ResourceImage, Writer } from '../../domain/events/produce';
import type { ResourceKind } from '../../domain/ports';

/** What the decoder reads of a stream record (Lambda's `DynamoDBRecord` and the Streams API's `_Record`). */
export interface StreamRecordLike {
  eventID?: string;
  eventName?: string;
  /** `type` in Lambda's events, `Type` in the Streams API's. */
  userIdentity?: { type?: string; Type?: string };
  dynamodb?: {
    Keys?: Record<string, unknown>;
    NewImage?: Record<string, unknown>;
    OldImage?: Record<string, unknown>;
    /** Epoch seconds (Lambda) or a Date (Streams API). */
    ApproximateCreationDateTime?: number | Date;
    SequenceNumber?: string;
  };
}

// keys.resources(scope, kind), keys.members(scope, groupId), the tenant's audit log (credential repository).
const RESOURCES = /^T#([^#]+)#E#([^#]+)#(USERS|GROUPS)$/;
const MEMBERS = /^T#([^#]+)#E#([^#]+)#G#([^#]+)#MEMBERS$/;
const AUDIT = /^T#([^#]+)#AUDIT$/;

const image = (raw: Record<string, unknown> | undefined): Record<string, unknown> | undefined =>
  raw ? unmarshall(raw as Record<string, AttributeValue>) : undefined;

function writerOf(item: Record<string, unknown>): Writer | undefined {
  const w = item.writer as { credentialId?: unknown; idp?: unknown } | undefined;
  if (!w || typeof w.credentialId !== 'string') return undefined;
  return { credentialId: w.credentialId, idp: typeof w.idp === 'string' ? w.idp : null };
}

function resourceImage(item: Record<string, unknown> | undefined): ResourceImage | undefined {
  if (!item) return undefined;
  const out: ResourceImage = {
    data: (item.data ?? {}) as Record<string, unknown>,
    version: Number(item.version),
    created: String(item.created),
    lastModified: String(item.lastModified),
  };
  const writer = writerOf(item);
  if (writer) out.writer = writer;
  return out;
}

function recordedAt(record: StreamRecordLike): string {
  const t = record.dynamodb?.ApproximateCreationDateTime;
  if (t instanceof Date) return t.toISOString();
  if (typeof t === 'number') return new Date(t * 1000).toISOString();
  return new Date(0).toISOString();
}

/** The change a stream record carries, or undefined when it is not one the producer maps. */
export function decodeStreamRecord(record: StreamRecordLike): ItemChange | undefined {
  // TTL expiry (bookmarks, audit entries, the events log) is housekeeping, not a change anyone made.
  const identity = record.userIdentity;
  if ((identity?.type ?? identity?.Type) === 'Service') return undefined;
  const keys = image(record.dynamodb?.Keys);
  const pk = typeof keys?.pk === 'string' ? keys.pk : undefined;
  const sk = typeof keys?.sk === 'string' ? keys.sk : undefined;
  if (!pk || !sk) return undefined;
  const newItem = image(record.dynamodb?.NewImage);
  const oldItem = image(record.dynamodb?.OldImage);
  const base = {
    recordId: record.eventID ?? `${pk}|${sk}|${record.dynamodb?.SequenceNumber ?? ''}`,
    recordedAt: recordedAt(record),
  };

  let m = RESOURCES.exec(pk);
  if (m) {
    const change: ItemChange = {
      ...base,
      kind: 'resource',
      tenantId: m[1]!,
      endpointId: m[2]!,
      resourceType: m[3] === 'USERS' ? 'User' : 'Group',
      id: sk,
    };
    const before = resourceImage(oldItem);
    const after = resourceImage(newItem);
    if (before) change.old = before;
    if (after) change.new = after;
    return change;
  }
  m = MEMBERS.exec(pk);
  if (m) {
    // A put over an existing membership (MODIFY) is no change of membership.
    if (record.eventName === 'MODIFY') return undefined;
    const item = newItem ?? oldItem;
    const change: ItemChange = {
      ...base,
      kind: 'member',
      tenantId: m[1]!,
      endpointId: m[2]!,
      groupId: m[3]!,
      member: { value: sk, type: (item?.type === 'Group' ? 'Group' : 'User') as ResourceKind },
      op: record.eventName === 'REMOVE' ? 'removed' : 'added',
    };
    const writer = newItem ? writerOf(newItem) : undefined;
    if (writer) change.writer = writer;
    const at = (newItem?.writer as { at?: unknown } | undefined)?.at;
    if (typeof at === 'string') change.at = at;
    return change;
  }
  m = AUDIT.exec(pk);
  if (m && record.eventName === 'INSERT' && newItem) {
    const change: ItemChange = {
      ...base,
      kind: 'audit',
      tenantId: m[1]!,
      type: String(newItem.type),
      at: String(newItem.at),
      actor: String(newItem.actor),
    };
    if (typeof newItem.credentialId === 'string') change.credentialId = newItem.credentialId;
    if (newItem.detail && typeof newItem.detail === 'object')
      change.detail = newItem.detail as Record<string, unknown>;
    return change;
  }
  return undefined;
}
