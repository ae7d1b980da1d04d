/**
 * The background membership worker: a plain function over cleanup tasks (the pending records of
 * membership-items.ts), with no knowledge of what drives it. Drivers: the table's stream in AWS
 * (functions/membership-stream.ts), a scheduled sweep of due records in AWS (functions/membership-sweep.ts) and the
 * local server's loop (functions/local/membership-loop.ts). Every task is idempotent: a rerun after a failure or a
 * duplicate delivery does no harm. See docs/decisions/0014-membership-index-and-staged-changes.md.
 */
import {
  DeleteCommand,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DocumentClient,
} from './commands';
import type { Scope } from '../../domain/ports';
import {
  CleanupTaskSchema,
  batchWrite,
  FAN_OUT,
  forEachLimited,
  pendingSk,
  scopeKey,
  type CleanupTask,
  type MembershipItem,
} from './membership-items';
import { discardStaged, groupIdOf } from './resource-repository';
import { INDEXES, TASK_SHARDS, keys } from './table-design';

export interface MembershipWorkerOptions {
  /**
   * A deleted resource's memberships are removed twice: at once, and again after this delay, when no request that
   * read the resource before its deletion can still be writing (API Gateway ends requests after 30 s).
   */
  secondPassDelayMs?: number;
}

export interface SweepReport {
  ran: number;
  failures: { task: string; error: string }[];
}

const isConditionFailure = (e: unknown) =>
  ['ConditionalCheckFailedException', 'TransactionCanceledException'].includes(
    (e as { name?: string }).name ?? '',
  );

export class MembershipWorker {
  private readonly secondPassDelayMs: number;

  constructor(
    private readonly doc: DocumentClient,
    private readonly tableName: string,
    options: MembershipWorkerOptions = {},
  ) {
    this.secondPassDelayMs = options.secondPassDelayMs ?? 60_000;
  }

  /** Runs one task to its end (or to its next pass). Throws when storage fails: the driver retries. */
  async run(task: CleanupTask, now: Date = new Date()): Promise<void> {
    const scope: Scope = { tenantId: task.tenantId, endpointId: task.endpointId };
    switch (task.taskType) {
      case 'delete':
        return this.deleted(scope, task, now);
      case 'change':
        return this.abortStale(scope, task);
      case 'tombstones':
        return this.eraseTombstones(scope, task);
      case 'rename':
        return this.refreshNames(scope, task);
      case 'endpoint':
        return this.purgeEndpoint(scope, task);
    }
  }

  /** Runs every task due at `now` (the byDue index, `TASK#` shards), at most `limit` per shard. */
  async runDue(now: Date = new Date(), limit = 100): Promise<SweepReport> {
    const report: SweepReport = { ran: 0, failures: [] };
    for (let shard = 0; shard < TASK_SHARDS; shard++) {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: INDEXES.byDue.name,
          KeyConditionExpression: 'dueShard = :s AND dueAt <= :now',
          ExpressionAttributeValues: { ':s': `TASK#${shard}`, ':now': now.toISOString() },
          Limit: limit,
        }),
      );
      for (const item of out.Items ?? []) {
        const parsed = CleanupTaskSchema.safeParse(item);
        if (!parsed.success) continue;
        try {
          await this.run(parsed.data, now);
          report.ran++;
        } catch (e) {
          report.failures.push({ task: String(item.sk), error: (e as Error).message });
        }
      }
    }
    return report;
  }

  private pendingKey(scope: Scope, task: CleanupTask) {
    return { pk: keys.pending(scopeKey(scope)), sk: pendingSk(task) };
  }

  private async groupItems(scope: Scope, groupId: string, filter?: { change: string }) {
    const items: MembershipItem[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ...(filter
            ? {
                FilterExpression: 'pend = :c',
                ExpressionAttributeValues: {
                  ':pk': keys.members(scopeKey(scope), groupId),
                  ':c': filter.change,
                },
              }
            : { ExpressionAttributeValues: { ':pk': keys.members(scopeKey(scope), groupId) } }),
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...((out.Items ?? []) as MembershipItem[]));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** Memberships of a deleted member (byMember), each removed with its group's version bump. */
  private async membershipsOfMember(scope: Scope, memberId: string): Promise<MembershipItem[]> {
    const items: MembershipItem[] = [];
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
    return items;
  }

  private async deleted(scope: Scope, task: CleanupTask, now: Date): Promise<void> {
    if (task.kind === 'Group') {
      // The group's own member list: nothing else refers to it.
      const own = await this.groupItems(scope, task.id);
      await batchWrite(
        this.doc,
        this.tableName,
        own.map((it) => ({ DeleteRequest: { Key: { pk: it.pk, sk: it.sk } } })),
      );
    }
    const prefix = keys.members(scopeKey(scope), '');
    const lastModified = now.toISOString();
    await forEachLimited(await this.membershipsOfMember(scope, task.id), FAN_OUT, async (it) => {
      const groupId = groupIdOf(prefix, it.pk);
      try {
        // The group's version and lastModified move with its member list (RFC 7644 §3.14).
        await this.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              { Delete: { TableName: this.tableName, Key: { pk: it.pk, sk: it.sk } } },
              {
                Update: {
                  TableName: this.tableName,
                  Key: { pk: keys.resources(scopeKey(scope), 'Group'), sk: groupId },
                  UpdateExpression: 'SET lastModified = :lm ADD version :one',
                  ConditionExpression: 'attribute_exists(pk)',
                  ExpressionAttributeValues: { ':lm': lastModified, ':one': 1 },
                },
              },
            ],
          }),
        );
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
        // The group is gone (or being deleted): only the membership item.
        await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: it.pk, sk: it.sk } }));
      }
    });
    const key = this.pendingKey(scope, task);
    if ((task.pass ?? 1) < 2) {
      // A request that checked the member before the delete may still write for up to 30 s: look again later.
      await this.doc
        .send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: 'SET pass = :two, dueAt = :at',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: {
              ':two': 2,
              ':at': new Date(now.getTime() + this.secondPassDelayMs).toISOString(),
            },
          }),
        )
        .catch((e: unknown) => {
          if (!isConditionFailure(e)) throw e;
        });
      return;
    }
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: key }));
  }

  /** A large change whose lease ran out without a commit: discards what it staged and frees the group. */
  private async abortStale(scope: Scope, task: CleanupTask): Promise<void> {
    const change = task.change ?? '';
    try {
      // From now on the change cannot commit (the commit requires no `aborting`).
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.pendingKey(scope, task),
          UpdateExpression: 'SET aborting = :t',
          ConditionExpression: '#c = :c',
          ExpressionAttributeNames: { '#c': 'change' },
          ExpressionAttributeValues: { ':t': true, ':c': change },
        }),
      );
    } catch (e) {
      if (isConditionFailure(e)) return; // committed or discarded meanwhile
      throw e;
    }
    const staged = await this.groupItems(scope, task.id, { change });
    await discardStaged(
      this.doc,
      this.tableName,
      scope,
      task.id,
      change,
      staged.map((it) => {
        const { pend: _p, pop, ...previous } = it;
        return pop === 'rm' ? { remove: previous as MembershipItem } : { put: it };
      }),
    );
  }

  /** Removed members of a committed large change, still stored as hidden tombstones: erased one by one. */
  private async eraseTombstones(scope: Scope, task: CleanupTask): Promise<void> {
    const change = task.change ?? '';
    const tombs = (await this.groupItems(scope, task.id, { change })).filter((it) => it.pop === 'rm');
    await forEachLimited(tombs, FAN_OUT, async (it) => {
      // Only if still this tombstone: a later change may have added the member again.
      await this.doc
        .send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: { pk: it.pk, sk: it.sk },
            ConditionExpression: 'pend = :c AND pop = :rm',
            ExpressionAttributeValues: { ':c': change, ':rm': 'rm' },
          }),
        )
        .catch((e: unknown) => {
          if (!isConditionFailure(e)) throw e;
        });
    });
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: this.pendingKey(scope, task) }));
  }

  /** A renamed group: its members' copies of the display name (`gname`) follow. */
  private async refreshNames(scope: Scope, task: CleanupTask): Promise<void> {
    const key = this.pendingKey(scope, task);
    const record = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    if (!record.Item) return;
    const group = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: keys.resources(scopeKey(scope), 'Group'), sk: task.id },
        ConsistentRead: true,
      }),
    );
    const name = (group.Item?.data as { displayName?: unknown } | undefined)?.displayName;
    if (typeof name === 'string') {
      const stale = (await this.groupItems(scope, task.id)).filter((it) => it.gname !== name);
      await forEachLimited(stale, FAN_OUT, async (it) => {
        await this.doc
          .send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: { pk: it.pk, sk: it.sk },
              UpdateExpression: 'SET gname = :n',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':n': name },
            }),
          )
          .catch((e: unknown) => {
            if (!isConditionFailure(e)) throw e;
          });
      });
    }
    // Done, unless the group was renamed again meanwhile (that rename rewrote the record).
    await this.doc
      .send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: key,
          ConditionExpression: 'dueAt = :t',
          ExpressionAttributeValues: { ':t': record.Item.dueAt },
        }),
      )
      .catch((e: unknown) => {
        if (!isConditionFailure(e)) throw e;
      });
  }

  /** A deleted SCIM endpoint: every item of its scope, then the record. */
  private async purgeEndpoint(scope: Scope, task: CleanupTask): Promise<void> {
    const s = scopeKey(scope);
    for (const kind of ['Group', 'User'] as const) {
      let start: Record<string, unknown> | undefined;
      do {
        const out = await this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': keys.resources(s, kind) },
            ConsistentRead: true,
            Limit: 200,
            ExclusiveStartKey: start,
          }),
        );
        const page = out.Items ?? [];
        const deletes: { DeleteRequest: { Key: Record<string, unknown> } }[] = [];
        for (const it of page) {
          const data = it.data as Record<string, unknown>;
          const name = String((kind === 'User' ? data.userName : data.displayName) ?? '');
          deletes.push(
            { DeleteRequest: { Key: { pk: it.pk, sk: it.sk } } },
            { DeleteRequest: { Key: { pk: keys.uniqueName(s, kind, name), sk: '-' } } },
          );
          if (kind === 'Group') {
            for (const m of await this.groupItems(scope, it.sk as string))
              deletes.push({ DeleteRequest: { Key: { pk: m.pk, sk: m.sk } } });
          }
        }
        await batchWrite(this.doc, this.tableName, deletes);
        start = out.LastEvaluatedKey;
      } while (start);
    }
    for (const pk of [
      keys.counter(s, 'User'),
      keys.counter(s, 'Group'),
      keys.bookmarks(s, 'User'),
      keys.bookmarks(s, 'Group'),
      keys.workEmailAliases(s),
      keys.pending(s),
    ]) {
      let start: Record<string, unknown> | undefined;
      do {
        const out = await this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': pk },
            ProjectionExpression: 'pk, sk',
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        const items = (out.Items ?? []).filter(
          (it) => !(pk === keys.pending(s) && it.sk === pendingSk(task)),
        );
        await batchWrite(
          this.doc,
          this.tableName,
          items.map((it) => ({ DeleteRequest: { Key: { pk: it.pk, sk: it.sk } } })),
        );
        start = out.LastEvaluatedKey;
      } while (start);
    }
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: this.pendingKey(scope, task) }));
  }
}

/** The tasks a stream record asks for now: inserted delete, tombstone, rename and endpoint records. */
export function taskFromImage(eventName: string | undefined, image: Record<string, unknown> | undefined) {
  if (eventName !== 'INSERT' || !image) return undefined;
  const parsed = CleanupTaskSchema.safeParse(image);
  if (!parsed.success || parsed.data.taskType === 'change') return undefined;
  return parsed.data;
}
