/**
 * The one table design, shared by the storage adapter, the local server (which creates the table in DynamoDB
 * Local) and the CDK data stack. No SDK imports here: CDK reads it too.
 *
 * Every partition key starts with the tenant (`T#<tenant>`). SCIM data is further scoped by endpoint
 * (`T#<tenant>#E#<endpoint>`). Indexes are named after the queries they serve.
 */

export const KEY = { partition: 'pk', sort: 'sk' } as const;

/** Attribute holding the expiry (epoch seconds) DynamoDB TTL deletes on. */
export const TTL_ATTRIBUTE = 'expiresAtEpoch';

export interface IndexDesign {
  name: string;
  partitionKey: string;
  sortKey: string;
  /** What the index answers. */
  serves: string;
}

export const INDEXES = {
  /** `userName eq` (users) and `displayName eq` (groups), case-insensitively. */
  byName: { name: 'byName', partitionKey: 'nameKey', sortKey: 'sk', serves: 'userName eq / displayName eq' },
  /** `externalId eq` (case-exact). */
  byExternalId: {
    name: 'byExternalId',
    partitionKey: 'externalIdKey',
    sortKey: 'sk',
    serves: 'externalId eq',
  },
  /** `emails[type eq "work"].value eq` (case-insensitive). */
  byWorkEmail: {
    name: 'byWorkEmail',
    partitionKey: 'workEmailKey',
    sortKey: 'sk',
    serves: 'emails[type eq "work"].value eq',
  },
  /**
   * A member's groups: every membership item carries `memberKey` = `<scope>#M#<member id>` and `groupKey` = the
   * group id (sort key; not `pk`, which would make every item's pk an index key bounded at 1 024 bytes). Serves a user's (or member group's) `groups`,
   * `members.value eq` on Groups, and the background removal of a deleted member's memberships.
   */
  byMember: {
    name: 'byMember',
    partitionKey: 'memberKey',
    sortKey: 'groupKey',
    serves: 'groups of a member',
  },
  /**
   * Reminder and idle jobs: credentials due at or before now, across tenants (sparse: only credentials that will
   * need a job carry the keys). The one index whose partition key does not start with the tenant: a scheduled job
   * serves every tenant and must not read each tenant's credentials to find the few that are due. Eight shards
   * (`DUE#0`..`DUE#7`, from a hash of the credential id) spread the writes. See docs/jobs.md.
   */
  byDue: {
    name: 'byDue',
    partitionKey: 'dueShard',
    sortKey: 'dueAt',
    serves: 'credentials due for a job; background membership work due (TASK# shards)',
  },
} as const satisfies Record<string, IndexDesign>;

export type ResourceKind = 'User' | 'Group';

/** Key builders: the only place key strings are spelled. */
export const keys = {
  tenant: (tenantId: string) => `T#${tenantId}`,
  scope: (tenantId: string, endpointId: string) => `T#${tenantId}#E#${endpointId}`,
  /** Item collection of all resources of one kind in one scope; sort key = resource id (UUIDv7, time-ordered). */
  resources: (scope: string, kind: ResourceKind) => `${scope}#${kind === 'User' ? 'USERS' : 'GROUPS'}`,
  /** One item per member of a group; sort key = member id. */
  members: (scope: string, groupId: string) => `${scope}#G#${groupId}#MEMBERS`,
  /** byMember partition of a member (user or group). */
  memberIndex: (scope: string, memberId: string) => `${scope}#M#${memberId}`,
  /**
   * Work in flight in one scope: `del#<id>` while a deleted resource's memberships are removed in the background,
   * `chg#<change id>` while a large membership change is staged and not committed. Readers query it (it holds only
   * work in flight) to hide both.
   */
  pending: (scope: string) => `${scope}#PENDING`,
  /** Second and further work e-mails of a user (the first is the user item's own byWorkEmail key). */
  workEmailAliases: (scope: string) => `${scope}#WORKEMAIL`,
  /** Uniqueness guard for userName / displayName (lower-cased). */
  uniqueName: (scope: string, kind: ResourceKind, name: string) =>
    `${scope}#UNIQUE#${kind === 'User' ? 'U' : 'G'}#${name.toLowerCase()}`,
  nameIndex: (scope: string, kind: ResourceKind, name: string) =>
    `${scope}#${kind === 'User' ? 'U' : 'G'}#${name.toLowerCase()}`,
  externalIdIndex: (scope: string, kind: ResourceKind, externalId: string) =>
    `${scope}#${kind === 'User' ? 'U' : 'G'}#${externalId}`,
  workEmailIndex: (scope: string, email: string) => `${scope}#U#${email.toLowerCase()}`,
  /** startIndex bookmarks: sort key = zero-padded position, value = the id at that position (TTL one day). */
  bookmarks: (scope: string, kind: ResourceKind) => `${scope}#BOOKMARKS#${kind}`,
  /** Sharded resource counters (totalResults without reading the collection). */
  counter: (scope: string, kind: ResourceKind) => `${scope}#COUNT#${kind}`,
  /** Credential secret lookup: HMAC of the secret, under its tenant. */
  secret: (tenantId: string, hash: string) => `T#${tenantId}#SECRET#${hash}`,
  /** Claims of the reminder and idle jobs for one credential; sort key `<slot>#<recipient>`. */
  reminderClaims: (tenantId: string, credentialId: string) => `T#${tenantId}#REMINDER#${credentialId}`,
  /** The recent SCIM requests of one credential; sort key `<at>#<request id>`, TTL after REQUEST_LOG_DAYS. */
  requests: (tenantId: string, credentialId: string) => `T#${tenantId}#REQUESTS#${credentialId}`,
  /** Addresses that bounced or complained, per tenant; sort key = address. */
  suppressed: (tenantId: string) => `T#${tenantId}#SUPPRESSED`,
  /** Console setup link, by HMAC of its secret (single item, TTL at expiry). */
  setupLink: (tenantId: string, hash: string) => `T#${tenantId}#SETUPLINK#${hash}`,
  /** Console session, by HMAC of its cookie secret (single item, TTL at absolute expiry). */
  session: (tenantId: string, hash: string) => `T#${tenantId}#SESSION#${hash}`,
  /** The tenant's change-event log (events API); sort key = zero-padded sequence number (issue 12). */
  events: (tenantId: string) => `T#${tenantId}#EVENTS`,
  /** The tenant's event sequence counter (one item, sort key SINGLETON_SK). */
  eventSequence: (tenantId: string) => `T#${tenantId}#EVENTS#SEQ`,
  /** Marks an event id as stored, so a redelivered change is stored once. */
  eventId: (tenantId: string, eventId: string) => `T#${tenantId}#EVENTS#ID#${eventId}`,
  /** byDue partition of a credential. */
  dueShard: (credentialId: string) => `DUE#${dueShardOf(credentialId)}`,
} as const;

export const DUE_SHARDS = 8;
export const TASK_SHARDS = 8;
/**
 * byDue partition of a pending membership-work record (docs/decisions/0014): `TASK#0`..`TASK#7`, apart from the
 * credentials' `DUE#` shards, so the jobs never see them and the sweep sees nothing else.
 */
export const taskShard = (id: string) => `TASK#${dueShardOf(id) % TASK_SHARDS}`;

/** A stable shard in 0..DUE_SHARDS-1 from the credential id (FNV-1a; no crypto import: CDK reads this file). */
export function dueShardOf(credentialId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < credentialId.length; i++) {
    h ^= credentialId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % DUE_SHARDS;
}

export const SINGLETON_SK = '-';
export const COUNTER_SHARDS = 16;

/** Attribute definitions + indexes in the shape both the SDK's CreateTable and CDK's Table take. */
export function tableAttributeNames(): string[] {
  const names = new Set<string>([KEY.partition, KEY.sort]);
  for (const idx of Object.values(INDEXES)) {
    names.add(idx.partitionKey);
    names.add(idx.sortKey);
  }
  return [...names];
}
