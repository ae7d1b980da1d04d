/**
 * DynamoDB implementation of the SCIM `ResourceRepository` port. Round trips per operation are documented in
 * docs/architecture.md and counted in `npm run bench`; the membership model in
 * docs/decisions/0014-membership-index-and-staged-changes.md.
 */
import { v7 as uuidv7 } from 'uuid';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type DocumentClient,
} from './commands';
import { ScimError } from '../../scim/errors';
import {
  MEMBER_LIST_BOUND,
  VersionConflict,
  tooLargeToReplace,
  type GroupDataWrite,
  type IndexName,
  type IndexValues,
  type ListPage,
  type MemberChangeResult,
  type MemberChanges,
  type MemberGroup,
  type MemberRef,
  type ResourceKind,
  type ResourceRepository,
  type Scope,
  type StoredMember,
  type StoredResource,
} from '../../domain/ports';
import {
  batchWrite,
  isMembership,
  noPendingWork,
  pendingRecord,
  readPendingState,
  scopeKey,
  sleep,
  type MembershipItem,
  type PendingState,
} from './membership-items';
import { readByKey, readKeys } from './key-reads';
import { COUNTER_SHARDS, INDEXES, SINGLETON_SK, TTL_ATTRIBUTE, keys } from './table-design';

/** The scope's place only (a task record stores no request state: not the writer, not the request's record). */
const where = (scope: Scope): Scope => ({ tenantId: scope.tenantId, endpointId: scope.endpointId });

type DocTransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>[number];

/** DynamoDB allows 100 actions per transaction; larger changes are staged and committed by one transaction. */
const TRANSACTION_LIMIT = 100;
const TRANSACTION_RETRIES = 6;
/** Membership items per Query page when a group's whole list is read (replace, GET). */
const MEMBER_PAGE = 2_000;
/** A staged change not committed after this long is aborted by the background sweep (requests end within 30 s). */
export const CHANGE_LEASE_MS = 2 * 60_000;
/** Waits for another large change of the same group (one at a time per group) before answering 503. */
const LOCK_WAIT_RETRIES = 12;
/** Optimistic retries when the group was renamed between the read and the commit of a member change. */
const RENAME_RETRIES = 5;
/** Work e-mails indexed per user (the first on the user item, the rest as alias items in the same transaction). */
export const MAX_INDEXED_WORK_EMAILS = 20;

export interface ResourceRepositoryOptions {
  /** Delay before the first background pass over a deleted resource's memberships (index propagation). */
  firstPassDelayMs?: number;
}

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
  /** Who wrote the data last (docs/events.md): read by the change-event producer only. */
  writer?: WriterAttribute;
}

/** The `writer` attribute every put or update of a resource or membership item carries (stream attribution). */
interface WriterAttribute {
  credentialId: string;
  idp: string | null;
  at: string;
}

function writerOf(scope: Scope, at: string): WriterAttribute | undefined {
  return scope.writer ? { credentialId: scope.writer.credentialId, idp: scope.writer.idp, at } : undefined;
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

const failed = (reasons: CancellationReason[] | undefined, i: number) =>
  reasons?.[i]?.Code === 'ConditionalCheckFailed';

/** The group was renamed between the read and the commit of a member change: read again. */
class Renamed extends Error {}

/** Another large change of the same group is staged: wait for it. */
class GroupBusy extends Error {}

/** One member write of a change: `item` to put, or `existing` to remove. */
interface MemberWrite {
  put?: MembershipItem;
  remove?: MembershipItem;
}

const distinctLower = (values: string[] | undefined): string[] => [
  ...new Set((values ?? []).map((v) => v.toLowerCase())),
];

export class DynamoResourceRepository implements ResourceRepository {
  private readonly firstPassDelayMs: number;

  constructor(
    private readonly doc: DocumentClient,
    private readonly tableName: string,
    options: ResourceRepositoryOptions = {},
  ) {
    this.firstPassDelayMs = options.firstPassDelayMs ?? 1000;
  }

  /**
   * Runs a transaction, retrying only on transaction conflicts (never on failed conditions). It also carries the
   * request's own record (Scope.record, docs/decisions/0018) when the request set what it answers on success and
   * the transaction has room: one round trip fewer for the write. The record goes last, so the positions of the
   * cancellation reasons stay those of `items`.
   */
  private async transact(items: DocTransactItem[], scope: Scope): Promise<void> {
    const rider = scope.record;
    const carried =
      rider && rider.onSuccess !== undefined && !rider.written && items.length < TRANSACTION_LIMIT
        ? [...items, { Put: { TableName: this.tableName, Item: rider.item(rider.onSuccess) } }]
        : items;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.doc.send(new TransactWriteCommand({ TransactItems: carried }));
        if (rider && carried !== items) rider.written = true;
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
    const first = index.workEmails?.[0];
    if (first !== undefined) attrs.workEmailKey = keys.workEmailIndex(s, first);
    return attrs;
  }

  /** Alias items for the second and further work e-mails (each its own byWorkEmail entry). */
  private aliasKey(scope: Scope, id: string, email: string) {
    return { pk: keys.workEmailAliases(scopeKey(scope)), sk: `${id}#${email}` };
  }

  private aliasWrites(
    scope: Scope,
    id: string,
    next: IndexValues,
    previous?: IndexValues,
  ): DocTransactItem[] {
    const want = distinctLower(next.workEmails).slice(1);
    const had = distinctLower(previous?.workEmails).slice(1);
    if (want.length + 1 > MAX_INDEXED_WORK_EMAILS)
      throw ScimError.invalidValue(`at most ${MAX_INDEXED_WORK_EMAILS} work e-mails per user`);
    const out: DocTransactItem[] = [];
    for (const email of had.filter((e) => !want.includes(e)))
      out.push({ Delete: { TableName: this.tableName, Key: this.aliasKey(scope, id, email) } });
    for (const email of want.filter((e) => !had.includes(e))) {
      out.push({
        Put: {
          TableName: this.tableName,
          Item: {
            ...this.aliasKey(scope, id, email),
            kind: 'WorkEmailAlias',
            aliasOf: id,
            workEmailKey: keys.workEmailIndex(scopeKey(scope), email),
          },
        },
      });
    }
    return out;
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

  private lockKey(scope: Scope, groupId: string) {
    return { pk: keys.pending(scopeKey(scope)), sk: `chg#${groupId}` };
  }

  private taken(kind: ResourceKind, name: string): ScimError {
    return ScimError.uniqueness(
      `${kind === 'User' ? 'userName' : 'displayName'} '${name}' is already taken in this endpoint`,
    );
  }

  async create(
    scope: Scope,
    resource: StoredResource,
    index: IndexValues,
    members: MemberRef[],
  ): Promise<StoredMember[]> {
    const item: ResourceItem = {
      ...this.resourceKey(scope, resource.kind, resource.id),
      kind: resource.kind,
      data: resource.data,
      version: resource.version,
      created: resource.created,
      lastModified: resource.lastModified,
      ...this.indexAttributes(scope, resource.kind, index),
    } as ResourceItem;
    const writer = writerOf(scope, resource.lastModified);
    if (writer) item.writer = writer;
    const head: DocTransactItem[] = [
      { Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
      {
        Put: {
          TableName: this.tableName,
          Item: { ...this.guardKey(scope, resource.kind, index.name), id: resource.id },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      this.counterUpdate(scope, resource.kind, 1),
      ...(resource.kind === 'User' ? this.aliasWrites(scope, resource.id, index) : []),
    ];
    const wanted = dedupeMembers(members);
    const resolved = await this.resolveMembers(scope, resource.id, wanted);
    const gname = typeof resource.data.displayName === 'string' ? resource.data.displayName : '';
    const writes = resolved.map((m) => ({
      put: this.membershipItem(scope, resource.id, m, gname, resource.lastModified),
    }));
    try {
      await this.commit(scope, resource.id, head, writes, false);
    } catch (e) {
      const reasons = cancellationReasons(e);
      if (failed(reasons, 1)) throw this.taken(resource.kind, index.name);
      throw e;
    }
    return resolved;
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
    const pk = keys.resources(scopeKey(scope), kind);
    const items = await readByKey(this.doc, this.tableName, pk, [...new Set(ids)]);
    return items.map((it) => fromItem(it as unknown as ResourceItem));
  }

  async replace(
    scope: Scope,
    next: StoredResource,
    index: IndexValues,
    previous: IndexValues,
    expectedVersion: number,
  ): Promise<void> {
    try {
      await this.transact(this.replaceItems(scope, next, index, previous, expectedVersion), scope);
    } catch (e) {
      await this.replaceFailed(scope, next, index, e);
    }
  }

  /** The versioned data write (+ guard move on rename, + alias changes, + `gname` refresh of a renamed group). */
  private replaceItems(
    scope: Scope,
    next: StoredResource,
    index: IndexValues,
    previous: IndexValues,
    expectedVersion: number,
  ): DocTransactItem[] {
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
      ['writer', writerOf(scope, next.lastModified)],
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
    if (next.kind === 'User') items.push(...this.aliasWrites(scope, next.id, index, previous));
    if (next.kind === 'Group' && index.name !== previous.name) {
      // The members' copies of the name (`gname`) are refreshed in the background; readers take the new name
      // from this record meanwhile.
      const task = { taskType: 'rename' as const, ...where(scope), id: next.id, name: index.name };
      items.push({ Put: { TableName: this.tableName, Item: pendingRecord(task, new Date()) } });
    }
    return items;
  }

  private async replaceFailed(scope: Scope, next: StoredResource, index: IndexValues, e: unknown) {
    const reasons = cancellationReasons(e);
    if (failed(reasons, 0)) {
      const still = await this.get(scope, next.kind, next.id);
      if (!still) throw ScimError.notFound(`${next.kind} ${next.id} not found`);
      throw new VersionConflict();
    }
    if (failed(reasons, 1)) throw this.taken(next.kind, index.name);
    throw e;
  }

  async delete(scope: Scope, existing: StoredResource, index: IndexValues): Promise<void> {
    const { kind, id } = existing;
    // Constant work: the item, its guard, the counter and one pending record. Readers hide the resource's
    // memberships from now on; the membership worker removes them (docs/decisions/0014-*.md).
    const task = { taskType: 'delete' as const, ...where(scope), id, kind, pass: 1 };
    const items: DocTransactItem[] = [
      {
        Delete: {
          TableName: this.tableName,
          Key: this.resourceKey(scope, kind, id),
          ConditionExpression: 'attribute_exists(pk) AND version = :v',
          ExpressionAttributeValues: { ':v': existing.version },
        },
      },
      { Delete: { TableName: this.tableName, Key: this.guardKey(scope, kind, index.name) } },
      this.counterUpdate(scope, kind, -1),
      {
        Put: {
          TableName: this.tableName,
          Item: pendingRecord(task, new Date(Date.now() + this.firstPassDelayMs)),
        },
      },
      ...(kind === 'User' ? this.aliasWrites(scope, id, { name: index.name }, index) : []),
    ];
    try {
      await this.transact(items, scope);
    } catch (e) {
      const reasons = cancellationReasons(e);
      if (failed(reasons, 0)) {
        const still = await this.get(scope, kind, id);
        if (!still) throw ScimError.notFound(`${kind} ${id} not found`);
        throw new VersionConflict();
      }
      throw e;
    }
  }

  async findByIndex(
    scope: Scope,
    kind: ResourceKind,
    index: IndexName,
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
    const aliased: string[] = [];
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
        if (typeof it.aliasOf === 'string') aliased.push(it.aliasOf);
        else if (it.kind === kind) items.push(fromItem(it as ResourceItem));
      }
      start = out.LastEvaluatedKey;
    } while (start);
    // A second or further work e-mail: the alias names the user.
    const missing = aliased.filter((id) => !items.some((r) => r.id === id));
    if (kind === 'User' && missing.length > 0) items.push(...(await this.batchGet(scope, kind, missing)));
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

  /**
   * Every membership item of a group as stored (staged ones too), one Query page after another; stops after
   * `limit` items when given.
   */
  private async memberItems(scope: Scope, groupId: string, limit?: number): Promise<MembershipItem[]> {
    const items: MembershipItem[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      if (limit !== undefined && items.length > limit) break;
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.members(scopeKey(scope), groupId) },
          ConsistentRead: true,
          ExclusiveStartKey: start,
          // Bounded work per call (a 1 MB page is ~7 000 items), and never far past `limit`.
          Limit: Math.min(MEMBER_PAGE, limit === undefined ? MEMBER_PAGE : limit + 1 - items.length),
        }),
      );
      items.push(...((out.Items ?? []) as MembershipItem[]));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async listMembers(scope: Scope, groupId: string, limit?: number): Promise<StoredMember[]> {
    const [items, state] = await Promise.all([
      this.memberItems(scope, groupId, limit),
      readPendingState(this.doc, this.tableName, scope),
    ]);
    const members = items.filter((it) => visible(it, state)).map(toMember);
    // Stopped early, but hidden items (staged, tombstones) made the visible list look short: read it all.
    if (limit !== undefined && items.length > limit && members.length <= limit)
      return this.listMembers(scope, groupId);
    return members;
  }

  async groupsOf(scope: Scope, memberId: string): Promise<MemberGroup[]> {
    const items: MembershipItem[] = [];
    const query = async () => {
      let start: Record<string, unknown> | undefined;
      do {
        const out = await this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: INDEXES.byMember.name,
            KeyConditionExpression: 'memberKey = :m',
            ExpressionAttributeValues: { ':m': keys.memberIndex(scopeKey(scope), memberId) },
            ExclusiveStartKey: start,
          }),
        );
        items.push(...((out.Items ?? []) as MembershipItem[]));
        start = out.LastEvaluatedKey;
      } while (start);
    };
    const [, state] = await Promise.all([query(), readPendingState(this.doc, this.tableName, scope)]);
    const prefix = keys.members(scopeKey(scope), '');
    const out: MemberGroup[] = [];
    for (const it of items) {
      const groupId = groupIdOf(prefix, it.pk);
      if (!isMembership(it, state) || state.deleted.has(groupId) || state.deleted.has(memberId)) continue;
      const g: MemberGroup = { value: groupId };
      // A rename in flight: its record holds the new name until every copy is refreshed.
      const display = state.renamed.get(groupId) ?? it.gname;
      if (display) g.display = display;
      out.push(g);
    }
    return out.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  }

  private membershipItem(
    scope: Scope,
    groupId: string,
    m: StoredMember,
    gname: string,
    at: string,
  ): MembershipItem {
    const s = scopeKey(scope);
    const item: MembershipItem = {
      pk: keys.members(s, groupId),
      sk: m.value,
      type: m.type,
      memberKey: keys.memberIndex(s, m.value),
      groupKey: groupId,
      gname,
    };
    if (m.display !== undefined) item.display = m.display;
    const writer = writerOf(scope, at);
    if (writer) item.writer = writer;
    return item;
  }

  /**
   * Resolves the type of every member (users first, then groups: one BatchGet per 100 ids) and refuses the whole
   * change (400 invalidValue) when one does not exist, or when a group would contain itself.
   */
  private async resolveMembers(scope: Scope, groupId: string, members: MemberRef[]): Promise<StoredMember[]> {
    if (members.length === 0) return [];
    const self = members.find((m) => m.value === groupId);
    if (self) throw ScimError.invalidValue('a group cannot be a member of itself');
    const asUser = members.filter((m) => m.type !== 'Group').map((m) => m.value);
    const users = new Set(await this.batchIds(scope, 'User', asUser));
    const asGroup = members.filter((m) => m.type !== 'User' && !users.has(m.value)).map((m) => m.value);
    const groups = new Set(asGroup.length ? await this.batchIds(scope, 'Group', asGroup) : []);
    return members.map((m) => {
      const type: ResourceKind | undefined =
        m.type === 'User'
          ? users.has(m.value)
            ? 'User'
            : undefined
          : m.type === 'Group'
            ? groups.has(m.value)
              ? 'Group'
              : undefined
            : users.has(m.value)
              ? 'User'
              : groups.has(m.value)
                ? 'Group'
                : undefined;
      if (!type)
        throw ScimError.invalidValue(
          `member '${m.value}' does not exist${m.type ? ` (as a ${m.type})` : ''}; nothing was changed`,
        );
      const out: StoredMember = { value: m.value, type };
      if (m.display !== undefined) out.display = m.display;
      return out;
    });
  }

  /** The ids of `ids` that are `kind`s of the scope (key-only reads: docs/decisions/0020). */
  private async batchIds(scope: Scope, kind: ResourceKind, ids: string[]): Promise<string[]> {
    const pk = keys.resources(scopeKey(scope), kind);
    return (await readKeys(this.doc, this.tableName, pk, ids, { attributes: [] })).map(
      (it) => it.sk as string,
    );
  }

  /**
   * The stored membership items of `ids` in a group; `keysOnly`: just what tells whether each is a member (a
   * change that only adds never needs the rest).
   */
  private async membershipsOf(
    scope: Scope,
    groupId: string,
    ids: string[],
    keysOnly = false,
  ): Promise<MembershipItem[]> {
    const pk = keys.members(scopeKey(scope), groupId);
    return (await readKeys(
      this.doc,
      this.tableName,
      pk,
      ids,
      keysOnly ? { attributes: ['pend', 'pop'] } : {},
    )) as unknown as MembershipItem[];
  }

  async changeMembers(
    scope: Scope,
    groupId: string,
    changes: MemberChanges,
    now: string,
    data?: GroupDataWrite,
  ): Promise<MemberChangeResult> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.changeMembersOnce(scope, groupId, changes, now, data);
      } catch (e) {
        const retry =
          (e instanceof Renamed && attempt < RENAME_RETRIES) ||
          (e instanceof GroupBusy && attempt < LOCK_WAIT_RETRIES);
        if (!retry) {
          if (e instanceof Renamed || e instanceof GroupBusy)
            throw new ScimError(
              503,
              `Group ${groupId} is being changed by another request; retry later`,
              undefined,
              {
                'retry-after': '2',
              },
            );
          throw e;
        }
        await sleep(Math.random() * Math.min(2000, 50 * 2 ** attempt));
      }
    }
  }

  private async changeMembersOnce(
    scope: Scope,
    groupId: string,
    changes: MemberChanges,
    now: string,
    data?: GroupDataWrite,
  ): Promise<MemberChangeResult> {
    const adds = dedupeMembers(changes.add);
    const removeIds = [...new Set(changes.remove)];
    const touched = [...adds.map((m) => m.value), ...removeIds];
    // A change too large for one transaction whatever the reads find takes the group's change lock in the same
    // round as the reads rather than after them (one round trip less); one that turns out small after all (adds of
    // members already there) releases the lock in its transaction, or with one delete when nothing changes.
    const mayStage = !changes.replaceAll && adds.length + removeIds.length > TRANSACTION_LIMIT - 2;
    const locking = mayStage
      ? this.takeLock(scope, groupId).then(
          (change) => change,
          (e: unknown) => e as Error,
        )
      : Promise.resolve(undefined);
    // One round of reads in parallel: the group, the touched memberships (or all of them for a replace), the
    // scope's work in flight, and whether the added members exist. A change that only adds needs no pending
    // records: a large change of this group still open makes its commit fail anyway (lock taken, or checked free),
    // so every staged mark it reads belongs to a committed change; and a member being deleted is already gone from
    // the existence check (its delete removed its item in one transaction).
    const onlyAdds = !changes.replaceAll && removeIds.length === 0;
    let reads;
    try {
      reads = await Promise.all([
        this.get(scope, 'Group', groupId),
        // A replace reads the list only up to the bound (a larger group is refused below: no request reads a
        // list that grows with the group).
        changes.replaceAll
          ? this.memberItems(scope, groupId, MEMBER_LIST_BOUND)
          : this.membershipsOf(scope, groupId, touched, onlyAdds),
        onlyAdds ? Promise.resolve(noPendingWork()) : readPendingState(this.doc, this.tableName, scope),
        // Settled here, thrown below: a missing group answers 404 before a missing member answers 400.
        changes.replaceAll
          ? Promise.resolve(undefined)
          : this.resolveMembers(scope, groupId, adds).then(
              (r) => r,
              (e: unknown) => e as Error,
            ),
      ]);
    } catch (e) {
      const taken = await locking;
      if (typeof taken === 'string') await this.releaseLock(scope, groupId, taken);
      throw e;
    }
    const lock = await locking;
    if (lock instanceof Error) throw lock;
    let held = lock;
    try {
      const result = await this.changeWith(scope, groupId, changes, now, data, reads, held);
      // Committed: the lock went with the commit's transaction. Nothing to change: released below.
      if (result.changed) held = undefined;
      return result;
    } finally {
      if (held) await this.releaseLock(scope, groupId, held);
    }
  }

  /** The rest of a member change, from its reads: the effective change, then the commit. */
  private async changeWith(
    scope: Scope,
    groupId: string,
    changes: MemberChanges,
    now: string,
    data: GroupDataWrite | undefined,
    reads: [StoredResource | undefined, MembershipItem[], PendingState, StoredMember[] | Error | undefined],
    lock: string | undefined,
  ): Promise<MemberChangeResult> {
    const [group, , state, resolvedAdds] = reads;
    let stored = reads[1];
    const adds = dedupeMembers(changes.add);
    const removeIds = [...new Set(changes.remove)];
    if (!group) throw ScimError.notFound(`Group ${groupId} not found`);
    if (resolvedAdds instanceof Error) throw resolvedAdds;
    if (data && group.version !== data.expectedVersion) throw new VersionConflict();
    const membersOf = (items: MembershipItem[]) =>
      new Map(items.filter((it) => visible(it, state)).map((it) => [it.sk, it]));
    let current = membersOf(stored);
    if (changes.replaceAll && stored.length > MEMBER_LIST_BOUND) {
      if (current.size > MEMBER_LIST_BOUND) throw tooLargeToReplace(groupId);
      // Stopped at the bound, but hidden items (tombstones the worker has not erased yet) made the visible list
      // look short: the rest is read (they are erased within seconds of their change).
      stored = await this.memberItems(scope, groupId);
      current = membersOf(stored);
      if (current.size > MEMBER_LIST_BOUND) throw tooLargeToReplace(groupId);
    }
    const raw = new Map(stored.map((it) => [it.sk, it]));

    // The effective change: adds of non-members, removes of members (a replace is diffed against the list).
    let addList: MemberRef[];
    let removeList: string[];
    if (changes.replaceAll) {
      const want = new Map(dedupeMembers(changes.replaceAll).map((m) => [m.value, m]));
      for (const m of adds) want.set(m.value, m);
      for (const id of removeIds) want.delete(id);
      addList = [...want.values()].filter((m) => !current.has(m.value));
      removeList = [...current.keys()].filter((id) => !want.has(id));
    } else {
      addList = adds.filter((m) => !current.has(m.value));
      const added = new Set(adds.map((m) => m.value));
      removeList = removeIds.filter((id) => current.has(id) && !added.has(id));
    }
    const effective = new Set(addList.map((m) => m.value));
    const resolved = resolvedAdds
      ? resolvedAdds.filter((m) => effective.has(m.value))
      : await this.resolveMembers(scope, groupId, addList);

    const gname = String((data?.next.data ?? group.data).displayName ?? '');
    const writes: MemberWrite[] = [
      ...resolved.map((m) => ({ put: this.membershipItem(scope, groupId, m, gname, now) })),
      ...removeList.map((id) => ({ remove: raw.get(id) as MembershipItem })),
    ];
    if (writes.length === 0 && !data) {
      return { changed: false, version: group.version, lastModified: group.lastModified };
    }

    let head: DocTransactItem[];
    let version: number;
    const writer = writerOf(scope, now);
    if (data) {
      head = this.replaceItems(scope, data.next, data.index, data.previous, data.expectedVersion);
      version = data.next.version;
    } else {
      head = [
        {
          Update: {
            TableName: this.tableName,
            Key: this.resourceKey(scope, 'Group', groupId),
            UpdateExpression: writer
              ? 'SET lastModified = :lm, writer = :w ADD version :one'
              : 'SET lastModified = :lm ADD version :one',
            // The members' copies of the name (`gname`) were written with the name read above.
            ConditionExpression: 'attribute_exists(pk) AND #data.#dn = :dn',
            ExpressionAttributeNames: { '#data': 'data', '#dn': 'displayName' },
            ExpressionAttributeValues: {
              ':lm': now,
              ':one': 1,
              ':dn': group.data.displayName,
              ...(writer ? { ':w': writer } : {}),
            },
          },
        },
      ];
      version = group.version + 1;
    }
    try {
      await this.commit(scope, groupId, head, writes, true, lock);
    } catch (e) {
      const reasons = cancellationReasons(e);
      if (failed(reasons, 0)) {
        const still = await this.get(scope, 'Group', groupId);
        if (!still) throw ScimError.notFound(`Group ${groupId} not found`);
        if (data) throw new VersionConflict();
        throw new Renamed();
      }
      if (data && failed(reasons, 1) && data.index.name.toLowerCase() !== data.previous.name.toLowerCase())
        throw this.taken('Group', data.index.name);
      throw e;
    }
    return { changed: true, version, lastModified: data?.next.lastModified ?? now };
  }

  /**
   * Takes the group's change lock: its pending record `chg#<group>` with a new change id (one large change per group
   * at a time; another one waits: GroupBusy). The lease lets the sweep abort a change its request never finished.
   */
  private async takeLock(scope: Scope, groupId: string): Promise<string> {
    const change = uuidv7();
    const task = { taskType: 'change' as const, ...where(scope), id: groupId, change };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: pendingRecord(task, new Date(Date.now() + CHANGE_LEASE_MS)),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (e) {
      if ((e as { name?: string }).name === 'ConditionalCheckFailedException') throw new GroupBusy();
      throw e;
    }
    return change;
  }

  /** Releases a lock taken for a change that wrote nothing; if that fails, the lease runs out and the sweep does it. */
  private async releaseLock(scope: Scope, groupId: string, change: string): Promise<void> {
    await discardStaged(this.doc, this.tableName, scope, groupId, change, []).catch(() => undefined);
  }

  /**
   * Writes the group's own items (`head`: create or update, first) and the member writes all or nothing. Fits one
   * transaction: done. Larger: takes the group's change lock unless the request `held` it already (its pending
   * record, which also tells readers the change is open), stages the member items marked with the change id (BatchWriteItem, parallel), then commits
   * with one transaction of `head` + the lock's release. Any failure before the commit discards what was staged.
   */
  private async commit(
    scope: Scope,
    groupId: string,
    head: DocTransactItem[],
    writes: MemberWrite[],
    existingGroup: boolean,
    held?: string,
  ): Promise<void> {
    const lock = this.lockKey(scope, groupId);
    const release = (change: string): DocTransactItem => ({
      Delete: {
        TableName: this.tableName,
        Key: lock,
        ConditionExpression: '#c = :c AND attribute_not_exists(aborting)',
        ExpressionAttributeNames: { '#c': 'change' },
        ExpressionAttributeValues: { ':c': change },
      },
    });
    // No large change of this group may be staged meanwhile: checked, or, when this request holds the lock, the
    // lock released in the same transaction.
    const lockFree: DocTransactItem[] = held
      ? [release(held)]
      : existingGroup
        ? [
            {
              ConditionCheck: {
                TableName: this.tableName,
                Key: lock,
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ]
        : [];
    if (head.length + lockFree.length + writes.length <= TRANSACTION_LIMIT) {
      const items = [
        ...head,
        ...lockFree,
        ...writes.map((w): DocTransactItem =>
          w.put
            ? { Put: { TableName: this.tableName, Item: w.put } }
            : { Delete: { TableName: this.tableName, Key: { pk: w.remove!.pk, sk: w.remove!.sk } } },
        ),
      ];
      try {
        await this.transact(items, scope);
      } catch (e) {
        if (!held && lockFree.length && failed(cancellationReasons(e), head.length)) throw new GroupBusy();
        throw e;
      }
      return;
    }

    const change = held ?? (await this.takeLock(scope, groupId));
    const removes = writes.filter((w) => w.remove);
    try {
      await batchWrite(
        this.doc,
        this.tableName,
        writes.map((w) => ({
          PutRequest: {
            Item: w.put ? { ...w.put, pend: change, pop: 'add' } : { ...w.remove, pend: change, pop: 'rm' },
          },
        })),
      );
      const commitItems: DocTransactItem[] = [...head, release(change)];
      if (removes.length > 0) {
        // Removed members stay as tombstones (hidden by the rule) until the worker erases them.
        const tomb = { taskType: 'tombstones' as const, ...where(scope), id: groupId, change };
        commitItems.push({ Put: { TableName: this.tableName, Item: pendingRecord(tomb, new Date()) } });
      }
      await this.transact(commitItems, scope);
    } catch (e) {
      await discardStaged(this.doc, this.tableName, scope, groupId, change, writes);
      throw e;
    }
  }
}

/**
 * Undoes a staged, uncommitted change: staged adds deleted, staged removes put back as they were, then the lock
 * released (only if it is still this change's). Used by the request that staged it and by the sweep.
 */
export async function discardStaged(
  doc: DocumentClient,
  tableName: string,
  scope: Scope,
  groupId: string,
  change: string,
  writes: { put?: MembershipItem; remove?: MembershipItem }[],
): Promise<void> {
  await batchWrite(
    doc,
    tableName,
    writes.map((w) =>
      w.put
        ? { DeleteRequest: { Key: { pk: w.put.pk, sk: w.put.sk } } }
        : { PutRequest: { Item: w.remove as unknown as Record<string, unknown> } },
    ),
  );
  try {
    await doc.send(
      new DeleteCommand({
        TableName: tableName,
        Key: { pk: keys.pending(scopeKey(scope)), sk: `chg#${groupId}` },
        ConditionExpression: '#c = :c',
        ExpressionAttributeNames: { '#c': 'change' },
        ExpressionAttributeValues: { ':c': change },
      }),
    );
  } catch (e) {
    if ((e as { name?: string }).name !== 'ConditionalCheckFailedException') throw e;
  }
}

function visible(item: MembershipItem, state: PendingState): boolean {
  return isMembership(item, state) && !state.deleted.has(item.sk);
}

function toMember(it: MembershipItem): StoredMember {
  const m: StoredMember = { value: it.sk, type: it.type };
  if (typeof it.display === 'string') m.display = it.display;
  return m;
}

/** The group id of a membership item's partition key (`<scope>#G#<group>#MEMBERS`). */
export function groupIdOf(prefix: string, pk: string): string {
  // prefix is keys.members(scope, '') = `<scope>#G##MEMBERS`
  const head = prefix.slice(0, prefix.length - '#MEMBERS'.length);
  return pk.slice(head.length, pk.length - '#MEMBERS'.length);
}

const BOOKMARK_TTL_SECONDS = 86_400;
const padPosition = (n: number) => String(n).padStart(12, '0');

function dedupeMembers(members: MemberRef[]): MemberRef[] {
  const seen = new Map<string, MemberRef>();
  for (const m of members) seen.set(m.value, m);
  return [...seen.values()];
}

function fromItem(item: ResourceItem): StoredResource {
  return {
    id: item.sk,
    kind: item.kind,
    data: item.data,
    version: Number(item.version),
    created: item.created,
    lastModified: item.lastModified,
  };
}
