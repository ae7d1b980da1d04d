/**
 * DynamoDB implementation of the SCIM `ResourceRepository` port. Round trips per operation are documented in
 * docs/architecture.md and counted in `npm run bench`.
 */
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ScimError } from '../../scim/errors';
import {
  VersionConflict,
  type IndexValues,
  type ListPage,
  type MemberRef,
  type ResourceKind,
  type ResourceRepository,
  type Scope,
  type StoredMember,
  type StoredResource,
} from '../../domain/ports';
import { COUNTER_SHARDS, INDEXES, SINGLETON_SK, TTL_ATTRIBUTE, keys } from './table-design';

type DocTransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>[number];

/** DynamoDB allows 100 actions per transaction; membership chunks keep room for the group update. */
const MEMBERS_PER_TRANSACTION = 49;
const TRANSACTION_RETRIES = 6;

interface ResourceItem {
  pk: string;
  sk: string;
  kind: ResourceKind;
  data: Record<string, unknown>;
  version: number;
  created: string;
  lastModified: string;
  nameKey: string;
  externalIdKey?: string;
  workEmailKey?: string;
  memberOf?: Set<string>;
  /** Membership version: bumped whenever memberOf changes, so a delete never misses a concurrent add. */
  mv?: number;
}

interface CancellationReason {
  Code?: string;
}

function cancellationReasons(e: unknown): CancellationReason[] | undefined {
  const err = e as { name?: string; CancellationReasons?: CancellationReason[] };
  return err.name === 'TransactionCanceledException' ? (err.CancellationReasons ?? []) : undefined;
}

function isConflictOnly(reasons: CancellationReason[]): boolean {
  return (
    reasons.some((r) => r.Code === 'TransactionConflict') &&
    !reasons.some((r) => r.Code === 'ConditionalCheckFailed')
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function scopeKey(scope: Scope): string {
  return keys.scope(scope.tenantId, scope.endpointId);
}

export class DynamoResourceRepository implements ResourceRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Runs a transaction, retrying only on transaction conflicts (never on failed conditions). */
  private async transact(items: DocTransactItem[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
        return;
      } catch (e) {
        const reasons = cancellationReasons(e);
        if (reasons && isConflictOnly(reasons) && attempt < TRANSACTION_RETRIES) {
          await sleep(5 + Math.random() * 20 * (attempt + 1));
          continue;
        }
        throw e;
      }
    }
  }

  private indexAttributes(scope: Scope, kind: ResourceKind, index: IndexValues): Partial<ResourceItem> {
    const s = scopeKey(scope);
    const attrs: Partial<ResourceItem> = { nameKey: keys.nameIndex(s, kind, index.name) };
    if (index.externalId !== undefined) attrs.externalIdKey = keys.externalIdIndex(s, kind, index.externalId);
    if (index.workEmail !== undefined) attrs.workEmailKey = keys.workEmailIndex(s, index.workEmail);
    return attrs;
  }

  /** A create adds 1 to `n`; a delete subtracts 1 and counts itself in `dels` (which invalidates bookmarks). */
  private counterUpdate(scope: Scope, kind: ResourceKind, delta: 1 | -1): DocTransactItem {
    const shard = Math.floor(Math.random() * COUNTER_SHARDS);
    return {
      Update: {
        TableName: this.tableName,
        Key: { pk: keys.counter(scopeKey(scope), kind), sk: `shard#${String(shard).padStart(2, '0')}` },
        UpdateExpression: delta > 0 ? 'ADD n :d' : 'ADD n :d, dels :one',
        ExpressionAttributeValues: delta > 0 ? { ':d': delta } : { ':d': delta, ':one': 1 },
      },
    };
  }

  private guardKey(scope: Scope, kind: ResourceKind, name: string) {
    return { pk: keys.uniqueName(scopeKey(scope), kind, name), sk: SINGLETON_SK };
  }

  private resourceKey(scope: Scope, kind: ResourceKind, id: string) {
    return { pk: keys.resources(scopeKey(scope), kind), sk: id };
  }

  async create(
    scope: Scope,
    resource: StoredResource,
    index: IndexValues,
    members: MemberRef[],
  ): Promise<void> {
    const item: ResourceItem = {
      ...this.resourceKey(scope, resource.kind, resource.id),
      kind: resource.kind,
      data: resource.data,
      version: resource.version,
      created: resource.created,
      lastModified: resource.lastModified,
      ...this.indexAttributes(scope, resource.kind, index),
    } as ResourceItem;
    const first = members.slice(0, MEMBERS_PER_TRANSACTION);
    const items: DocTransactItem[] = [
      { Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
      {
        Put: {
          TableName: this.tableName,
          Item: { ...this.guardKey(scope, resource.kind, index.name), id: resource.id },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      this.counterUpdate(scope, resource.kind, 1),
    ];
    const resolved = await this.resolveMemberTypes(scope, first);
    for (const m of resolved) items.push(...this.memberAddItems(scope, resource.id, m));
    try {
      await this.transact(items);
    } catch (e) {
      const reasons = cancellationReasons(e);
      if (reasons?.[1]?.Code === 'ConditionalCheckFailed') {
        throw ScimError.uniqueness(
          `${resource.kind === 'User' ? 'userName' : 'displayName'} '${index.name}' is already taken in this endpoint`,
        );
      }
      if (reasons) this.throwMissingMember(reasons, 3, resolved);
      throw e;
    }
    const rest = members.slice(MEMBERS_PER_TRANSACTION);
    if (rest.length > 0) {
      try {
        await this.changeMembers(scope, resource.id, { add: rest, remove: [] }, resource.lastModified, false);
      } catch (e) {
        // Keep the create atomic from the client's point of view: undo the group.
        const created = await this.get(scope, resource.kind, resource.id);
        if (created) await this.delete(scope, created, index);
        throw e;
      }
    }
  }

  async get(scope: Scope, kind: ResourceKind, id: string): Promise<StoredResource | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: this.resourceKey(scope, kind, id),
        ConsistentRead: true,
      }),
    );
    return out.Item ? fromItem(out.Item as ResourceItem) : undefined;
  }

  async batchGet(scope: Scope, kind: ResourceKind, ids: string[]): Promise<StoredResource[]> {
    const result: StoredResource[] = [];
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += 100) {
      let request: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead: boolean }> | undefined =
        {
          [this.tableName]: {
            Keys: unique.slice(i, i + 100).map((id) => this.resourceKey(scope, kind, id)),
            ConsistentRead: true,
          },
        };
      while (request && Object.keys(request).length > 0) {
        const out = await this.doc.send(new BatchGetCommand({ RequestItems: request }));
        for (const it of out.Responses?.[this.tableName] ?? []) result.push(fromItem(it as ResourceItem));
        request = out.UnprocessedKeys as typeof request;
      }
    }
    return result;
  }

  async replace(
    scope: Scope,
    next: StoredResource,
    index: IndexValues,
    previous: IndexValues,
    expectedVersion: number,
  ): Promise<void> {
    const attrs = this.indexAttributes(scope, next.kind, index);
    const names: Record<string, string> = {
      '#data': 'data',
      '#v': 'version',
      '#lm': 'lastModified',
      '#nk': 'nameKey',
    };
    const values: Record<string, unknown> = {
      ':data': next.data,
      ':v': next.version,
      ':lm': next.lastModified,
      ':nk': attrs.nameKey,
      ':expected': expectedVersion,
    };
    const set = ['#data = :data', '#v = :v', '#lm = :lm', '#nk = :nk'];
    const remove: string[] = [];
    for (const [attr, value] of [
      ['externalIdKey', attrs.externalIdKey],
      ['workEmailKey', attrs.workEmailKey],
    ] as const) {
      names[`#${attr}`] = attr;
      if (value === undefined) remove.push(`#${attr}`);
      else {
        set.push(`#${attr} = :${attr}`);
        values[`:${attr}`] = value;
      }
    }
    const items: DocTransactItem[] = [
      {
        Update: {
          TableName: this.tableName,
          Key: this.resourceKey(scope, next.kind, next.id),
          UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
          ConditionExpression: 'attribute_exists(pk) AND #v = :expected',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
    ];
    const nameMoved = index.name.toLowerCase() !== previous.name.toLowerCase();
    if (nameMoved) {
      items.push(
        {
          Put: {
            TableName: this.tableName,
            Item: { ...this.guardKey(scope, next.kind, index.name), id: next.id },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        { Delete: { TableName: this.tableName, Key: this.guardKey(scope, next.kind, previous.name) } },
      );
    }
    try {
      await this.transact(items);
    } catch (e) {
      const reasons = cancellationReasons(e);
      if (reasons?.[0]?.Code === 'ConditionalCheckFailed') {
        const still = await this.get(scope, next.kind, next.id);
        if (!still) throw ScimError.notFound(`${next.kind} ${next.id} not found`);
        throw new VersionConflict();
      }
      if (reasons?.[1]?.Code === 'ConditionalCheckFailed') {
        throw ScimError.uniqueness(
          `${next.kind === 'User' ? 'userName' : 'displayName'} '${index.name}' is already taken in this endpoint`,
        );
      }
      throw e;
    }
  }

  async delete(scope: Scope, existing: StoredResource, index: IndexValues): Promise<void> {
    const { kind, id } = existing;
    // Members of a deleted group lose it from their memberOf; done first, in chunks, while the group still exists.
    if (kind === 'Group') {
      const members = await this.listMembers(scope, id);
      if (members.length > 0) {
        await this.changeMembers(
          scope,
          id,
          { add: [], remove: members.map((m) => m.value) },
          existing.lastModified,
          false,
        );
      }
    }
    const memberOf = existing.memberOf;
    const head = memberOf.slice(0, 90);
    const items: DocTransactItem[] = [
      {
        Delete: {
          TableName: this.tableName,
          Key: this.resourceKey(scope, kind, id),
          ConditionExpression:
            'attribute_exists(pk) AND version = :v AND (attribute_not_exists(mv) OR mv = :mv)',
          ExpressionAttributeValues: { ':v': existing.version, ':mv': (existing as StoredWithMv).mv ?? 0 },
        },
      },
      { Delete: { TableName: this.tableName, Key: this.guardKey(scope, kind, index.name) } },
      this.counterUpdate(scope, kind, -1),
      ...head.map((gid): DocTransactItem => ({
        Delete: { TableName: this.tableName, Key: { pk: keys.members(scopeKey(scope), gid), sk: id } },
      })),
    ];
    try {
      await this.transact(items);
    } catch (e) {
      const reasons = cancellationReasons(e);
      if (reasons?.[0]?.Code === 'ConditionalCheckFailed') {
        const still = await this.get(scope, kind, id);
        if (!still) throw ScimError.notFound(`${kind} ${id} not found`);
        throw new VersionConflict();
      }
      throw e;
    }
    // A resource in more than 90 groups: the remaining membership items go after the resource is gone.
    for (let i = 90; i < memberOf.length; i += 25) {
      await this.transact(
        memberOf.slice(i, i + 25).map((gid): DocTransactItem => ({
          Delete: { TableName: this.tableName, Key: { pk: keys.members(scopeKey(scope), gid), sk: id } },
        })),
      );
    }
  }

  async findByIndex(
    scope: Scope,
    kind: ResourceKind,
    index: keyof IndexValues,
    value: string,
  ): Promise<StoredResource[]> {
    const s = scopeKey(scope);
    const design =
      index === 'name' ? INDEXES.byName : index === 'externalId' ? INDEXES.byExternalId : INDEXES.byWorkEmail;
    const key =
      index === 'name'
        ? keys.nameIndex(s, kind, value)
        : index === 'externalId'
          ? keys.externalIdIndex(s, kind, value)
          : keys.workEmailIndex(s, value);
    const items: StoredResource[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: design.name,
          KeyConditionExpression: '#k = :k',
          ExpressionAttributeNames: { '#k': design.partitionKey },
          ExpressionAttributeValues: { ':k': key },
          ExclusiveStartKey: start,
        }),
      );
      for (const it of out.Items ?? []) {
        const r = fromItem(it as ResourceItem);
        if (r.kind === kind) items.push(r);
      }
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /**
   * Queries the kind's item collection in id order until `limit` items are read or the collection ends: DynamoDB
   * cuts a query page at 1 MB, so one query can return fewer than `limit` items with more to come.
   */
  private async queryCollection(
    scope: Scope,
    kind: ResourceKind,
    options: { after?: string; limit: number },
    projection?: string,
  ): Promise<{ items: Record<string, unknown>[]; next?: string }> {
    const pk = keys.resources(scopeKey(scope), kind);
    const items: Record<string, unknown>[] = [];
    let after = options.after;
    let next: string | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ...(projection ? { ProjectionExpression: projection } : {}),
          Limit: options.limit - items.length,
          ConsistentRead: true,
          ExclusiveStartKey: after ? { pk, sk: after } : undefined,
        }),
      );
      items.push(...(out.Items ?? []));
      next = out.LastEvaluatedKey?.sk as string | undefined;
      after = next;
    } while (next && items.length < options.limit);
    return next ? { items, next } : { items };
  }

  async list(
    scope: Scope,
    kind: ResourceKind,
    options: { after?: string; limit: number },
  ): Promise<ListPage> {
    const page = await this.queryCollection(scope, kind, options);
    const items = page.items.map((it) => fromItem(it as unknown as ResourceItem));
    return page.next ? { items, next: page.next } : { items };
  }

  async listIds(
    scope: Scope,
    kind: ResourceKind,
    options: { after?: string; limit: number },
  ): Promise<{ ids: string[]; next?: string }> {
    const page = await this.queryCollection(scope, kind, options, 'sk');
    const ids = page.items.map((it) => it.sk as string);
    return page.next ? { ids, next: page.next } : { ids };
  }

  async count(scope: Scope, kind: ResourceKind): Promise<{ total: number; deletions: number }> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.counter(scopeKey(scope), kind) },
        ConsistentRead: true,
      }),
    );
    const sum = (name: string) => (out.Items ?? []).reduce((n, it) => n + Number(it[name] ?? 0), 0);
    return { total: Math.max(0, sum('n')), deletions: sum('dels') };
  }

  async findBookmark(
    scope: Scope,
    kind: ResourceKind,
    position: number,
    deletions: number,
  ): Promise<{ position: number; id: string } | undefined> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk <= :pos',
        ExpressionAttributeValues: {
          ':pk': keys.bookmarks(scopeKey(scope), kind),
          ':pos': padPosition(position),
        },
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    const item = out.Items?.[0];
    if (!item || Number(item[TTL_ATTRIBUTE]) * 1000 < Date.now()) return undefined;
    // A delete since the bookmark was written shifted the positions after it: it marks nothing any more.
    if (Number(item.dels ?? -1) !== deletions) return undefined;
    return { position: Number(item.sk), id: item.id as string };
  }

  async putBookmark(
    scope: Scope,
    kind: ResourceKind,
    position: number,
    id: string,
    deletions: number,
  ): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: keys.bookmarks(scopeKey(scope), kind),
          sk: padPosition(position),
          id,
          dels: deletions,
          [TTL_ATTRIBUTE]: Math.floor(Date.now() / 1000) + BOOKMARK_TTL_SECONDS,
        },
      }),
    );
  }

  async listMembers(scope: Scope, groupId: string): Promise<StoredMember[]> {
    const members: StoredMember[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.members(scopeKey(scope), groupId) },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const it of out.Items ?? []) {
        const m: StoredMember = { value: it.sk as string, type: it.type as ResourceKind };
        if (typeof it.display === 'string') m.display = it.display;
        members.push(m);
      }
      start = out.LastEvaluatedKey;
    } while (start);
    return members;
  }

  /** Member types not given by the client: users first, then groups (one BatchGet per 100 ids). */
  private async resolveMemberTypes(scope: Scope, members: MemberRef[]): Promise<StoredMember[]> {
    const untyped = members.filter((m) => !m.type).map((m) => m.value);
    const groups = new Set<string>();
    if (untyped.length > 0) {
      const users = new Set((await this.batchIds(scope, 'User', untyped)).map((r) => r));
      const rest = untyped.filter((id) => !users.has(id));
      if (rest.length > 0) for (const id of await this.batchIds(scope, 'Group', rest)) groups.add(id);
    }
    return members.map((m) => {
      const out: StoredMember = { value: m.value, type: m.type ?? (groups.has(m.value) ? 'Group' : 'User') };
      if (m.display !== undefined) out.display = m.display;
      return out;
    });
  }

  private async batchIds(scope: Scope, kind: ResourceKind, ids: string[]): Promise<string[]> {
    const found: string[] = [];
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += 100) {
      let request: Record<string, unknown> | undefined = {
        [this.tableName]: {
          Keys: unique.slice(i, i + 100).map((id) => this.resourceKey(scope, kind, id)),
          ProjectionExpression: 'sk',
          ConsistentRead: true,
        },
      };
      while (request && Object.keys(request).length > 0) {
        const out = await this.doc.send(new BatchGetCommand({ RequestItems: request as never }));
        for (const it of out.Responses?.[this.tableName] ?? []) found.push(it.sk as string);
        request = out.UnprocessedKeys as typeof request;
      }
    }
    return found;
  }

  private memberAddItems(scope: Scope, groupId: string, m: StoredMember): DocTransactItem[] {
    const s = scopeKey(scope);
    const item: Record<string, unknown> = { pk: keys.members(s, groupId), sk: m.value, type: m.type };
    if (m.display !== undefined) item.display = m.display;
    return [
      { Put: { TableName: this.tableName, Item: item } },
      {
        Update: {
          TableName: this.tableName,
          Key: this.resourceKey(scope, m.type, m.value),
          UpdateExpression: 'ADD memberOf :g, mv :one',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':g': new Set([groupId]), ':one': 1 },
        },
      },
    ];
  }

  private throwMissingMember(reasons: CancellationReason[], offset: number, members: StoredMember[]): void {
    for (let i = 0; i < members.length; i++) {
      if (reasons[offset + 2 * i + 1]?.Code === 'ConditionalCheckFailed') {
        const m = members[i];
        throw ScimError.invalidValue(`member '${m?.value}' does not exist (as a ${m?.type})`);
      }
    }
  }

  async changeMembers(
    scope: Scope,
    groupId: string,
    changes: { add: MemberRef[]; remove: string[] },
    now: string,
    bumpVersion = true,
  ): Promise<void> {
    const s = scopeKey(scope);
    const groupUpdate = (): DocTransactItem => ({
      Update: {
        TableName: this.tableName,
        Key: this.resourceKey(scope, 'Group', groupId),
        UpdateExpression: bumpVersion ? 'SET lastModified = :lm ADD version :one' : 'SET lastModified = :lm',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: bumpVersion ? { ':lm': now, ':one': 1 } : { ':lm': now },
      },
    });
    const onGroupMissing = (reasons: CancellationReason[] | undefined) => {
      if (reasons?.[0]?.Code === 'ConditionalCheckFailed')
        throw ScimError.notFound(`Group ${groupId} not found`);
    };

    const removeIds = [...new Set(changes.remove)];
    for (let i = 0; i < removeIds.length; i += MEMBERS_PER_TRANSACTION) {
      const chunk = removeIds.slice(i, i + MEMBERS_PER_TRANSACTION);
      const existing = await this.membershipTypes(scope, groupId, chunk);
      const items: DocTransactItem[] = [groupUpdate()];
      for (const id of chunk) {
        items.push({ Delete: { TableName: this.tableName, Key: { pk: keys.members(s, groupId), sk: id } } });
        const type = existing.get(id);
        if (type) {
          items.push({
            Update: {
              TableName: this.tableName,
              Key: this.resourceKey(scope, type, id),
              UpdateExpression: 'DELETE memberOf :g ADD mv :one',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':g': new Set([groupId]), ':one': 1 },
            },
          });
        }
      }
      try {
        await this.transact(items);
      } catch (e) {
        const reasons = cancellationReasons(e);
        onGroupMissing(reasons);
        if (!reasons) throw e;
        // A member deleted meanwhile: its membership item is already gone; retry without member updates.
        await this.transact(items.filter((it) => !it.Update || it === items[0]));
      }
    }

    const adds = await this.resolveMemberTypes(scope, dedupeMembers(changes.add));
    for (let i = 0; i < adds.length; i += MEMBERS_PER_TRANSACTION) {
      const chunk = adds.slice(i, i + MEMBERS_PER_TRANSACTION);
      const items: DocTransactItem[] = [groupUpdate()];
      for (const m of chunk) {
        if (m.type === 'Group' && m.value === groupId)
          throw ScimError.invalidValue('a group cannot be a member of itself');
        items.push(...this.memberAddItems(scope, groupId, m));
      }
      try {
        await this.transact(items);
      } catch (e) {
        const reasons = cancellationReasons(e);
        onGroupMissing(reasons);
        if (reasons) this.throwMissingMember(reasons, 1, chunk);
        throw e;
      }
    }
  }

  /** Which of `ids` are members now, and as what (one BatchGet per 100 ids; O(members changed)). */
  private async membershipTypes(
    scope: Scope,
    groupId: string,
    ids: string[],
  ): Promise<Map<string, ResourceKind>> {
    const pk = keys.members(scopeKey(scope), groupId);
    const found = new Map<string, ResourceKind>();
    let request: Record<string, unknown> | undefined = {
      [this.tableName]: { Keys: ids.map((id) => ({ pk, sk: id })), ConsistentRead: true },
    };
    while (request && Object.keys(request).length > 0) {
      const out = await this.doc.send(new BatchGetCommand({ RequestItems: request as never }));
      for (const it of out.Responses?.[this.tableName] ?? [])
        found.set(it.sk as string, it.type as ResourceKind);
      request = out.UnprocessedKeys as typeof request;
    }
    return found;
  }
}

interface StoredWithMv extends StoredResource {
  mv?: number;
}

const BOOKMARK_TTL_SECONDS = 86_400;
const padPosition = (n: number) => String(n).padStart(12, '0');

function dedupeMembers(members: MemberRef[]): MemberRef[] {
  const seen = new Map<string, MemberRef>();
  for (const m of members) seen.set(m.value, m);
  return [...seen.values()];
}

function fromItem(item: ResourceItem): StoredResource {
  const r: StoredWithMv = {
    id: item.sk,
    kind: item.kind,
    data: item.data,
    version: Number(item.version),
    created: item.created,
    lastModified: item.lastModified,
    memberOf: item.memberOf ? [...item.memberOf].sort() : [],
  };
  if (item.mv !== undefined) r.mv = Number(item.mv);
  return r;
}
