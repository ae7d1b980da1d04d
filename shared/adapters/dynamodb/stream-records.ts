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

/**
 * What a write of a membership item means (docs/decisions/0014: membership items; a large change is staged on the
 * items themselves, `pop` = `add` or `rm`, and committed by one transaction). A membership starts when its item
 * appears or stops being a staged removal, and ends when its item goes or becomes a staged removal; erasing a
 * removal's leftover item (`pop` = `rm`) and rewriting an item (a renamed group's `gname`) change nothing. A large
 * change is announced as it is staged: one that fails is undone item by item, which announces the reverse, so a
 * consumer applying the events in order ends where the table is.
 */
function membershipOp(
  eventName: string | undefined,
  oldItem: Record<string, unknown> | undefined,
  newItem: Record<string, unknown> | undefined,
): 'added' | 'removed' | undefined {
  const member = (item: Record<string, unknown> | undefined) => item !== undefined && item.pop !== 'rm';
  const before = eventName === 'INSERT' ? false : member(oldItem);
  const after = eventName === 'REMOVE' ? false : member(newItem);
  if (before === after) return undefined;
  return after ? 'added' : 'removed';
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
    const op = membershipOp(record.eventName, oldItem, newItem);
    if (!op) return undefined;
    const item = newItem ?? oldItem;
    const change: ItemChange = {
      ...base,
      kind: 'member',
      tenantId: m[1]!,
      endpointId: m[2]!,
      groupId: m[3]!,
      member: { value: sk, type: (item?.type === 'Group' ? 'Group' : 'User') as ResourceKind },
      op,
    };
    const writer = op === 'added' && newItem ? writerOf(newItem) : undefined;
    if (writer) change.writer = writer;
    const at = op === 'added' ? (newItem?.writer as { at?: unknown } | undefined)?.at : undefined;
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
