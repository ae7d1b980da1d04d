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
  /** Uniqueness guard for userName / displayName (lower-cased). */
  uniqueName: (scope: string, kind: ResourceKind, name: string) =>
    `${scope}#UNIQUE#${kind === 'User' ? 'U' : 'G'}#${name.toLowerCase()}`,
  nameIndex: (scope: string, kind: ResourceKind, name: string) =>
    `${scope}#${kind === 'User' ? 'U' : 'G'}#${name.toLowerCase()}`,
  externalIdIndex: (scope: string, kind: ResourceKind, externalId: string) =>
    `${scope}#${kind === 'User' ? 'U' : 'G'}#${externalId}`,
  workEmailIndex: (scope: string, email: string) => `${scope}#U#${email.toLowerCase()}`,
  /** Sharded resource counters (totalResults without reading the collection). */
  counter: (scope: string, kind: ResourceKind) => `${scope}#COUNT#${kind}`,
  /** Credential secret lookup: HMAC of the secret, under its tenant. */
  secret: (tenantId: string, hash: string) => `T#${tenantId}#SECRET#${hash}`,
} as const;

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
