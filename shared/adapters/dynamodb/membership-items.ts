/**
 * Membership items and the scope's pending-work records: their layout and the one rule every reader applies.
 * Shared by the resource repository (writes, reads) and the background membership worker. See
 * docs/decisions/0014-membership-index-and-staged-changes.md.
 *
 * Membership item: pk `<scope>#G#<group>#MEMBERS`, sk `<member id>`, `type`, `display`, `memberKey` and `groupKey` (byMember),
 * `gname` (the group's displayName, for the member's `groups`), and while or after a large change:
 * `pend` = change id and `pop` = `add` | `rm`.
 *
 * Pending records (pk `<scope>#PENDING`): `del#<id>` a deleted resource whose memberships are still being removed;
 * `chg#<group>` a large change of that group staged but not committed (attribute `change`); `tomb#<change>`
 * removed memberships of a committed large change still to be erased; `ren#<group>` a renamed group whose `gname`
 * copies are being refreshed; `endpoint` a deleted SCIM endpoint being purged.
 */
import { BatchWriteCommand, QueryCommand, type DocumentClient } from './commands';
import * as z from 'zod/mini';
import type { ResourceKind, Scope } from '../../domain/ports';
import { keys, taskShard } from './table-design';

export interface MembershipItem {
  pk: string;
  sk: string;
  type: ResourceKind;
  display?: string;
  memberKey?: string;
  /** The group id: byMember's sort key. */
  groupKey?: string;
  gname?: string;
  pend?: string;
  pop?: 'add' | 'rm';
  /** Who wrote it (credential, IdP, time): read by the change-event producer only (docs/events.md). */
  writer?: { credentialId: string; idp: string | null; at: string };
}

/** What readers must know about work in flight in a scope (one Query of the pending partition). */
export interface PendingState {
  /** Resources deleted whose memberships are still being removed: never shown as members or groups. */
  deleted: Set<string>;
  /** Change ids staged and not committed: their staged items are not applied. */
  open: Set<string>;
  /** Groups renamed whose members' copies of the name are still being refreshed: group id → new name. */
  renamed: Map<string, string>;
}

/** The one visibility rule: is this item a membership now? */
export function isMembership(item: Pick<MembershipItem, 'pend' | 'pop'>, state: PendingState): boolean {
  if (!item.pend) return true;
  const applied = !state.open.has(item.pend);
  return item.pop === 'rm' ? !applied : applied;
}

export const scopeKey = (scope: Scope): string => keys.scope(scope.tenantId, scope.endpointId);

export const TASK_TYPES = ['delete', 'change', 'tombstones', 'rename', 'endpoint'] as const;

/** A unit of background membership work, as stored in its pending record (and seen on the table's stream). */
export const CleanupTaskSchema = z.object({
  taskType: z.enum(TASK_TYPES),
  tenantId: z.string().check(z.minLength(1)),
  endpointId: z.string().check(z.minLength(1)),
  /** delete: the deleted resource; change, tombstones, rename: the group. endpoint: the endpoint id. */
  id: z.string().check(z.minLength(1)),
  kind: z.optional(z.enum(['User', 'Group'])),
  /** change, tombstones: the change id. */
  change: z.optional(z.string()),
  /** delete: 1 for the first pass, 2 for the second (after every request that could still write has ended). */
  pass: z.optional(z.number().check(z.int())),
  /** rename: the group's new displayName (readers use it until every copy is refreshed). */
  name: z.optional(z.string()),
});
export type CleanupTask = z.infer<typeof CleanupTaskSchema>;

export function pendingSk(task: Pick<CleanupTask, 'taskType' | 'id' | 'change'>): string {
  switch (task.taskType) {
    case 'delete':
      return `del#${task.id}`;
    case 'change':
      return `chg#${task.id}`;
    case 'tombstones':
      return `tomb#${task.change ?? ''}`;
    case 'rename':
      return `ren#${task.id}`;
    case 'endpoint':
      return 'endpoint';
  }
}

/** The pending record of a task, due at `dueAt` (found through the byDue index, in its `TASK#` shards). */
export function pendingRecord(task: CleanupTask, dueAt: Date): Record<string, unknown> {
  const scope = { tenantId: task.tenantId, endpointId: task.endpointId };
  const sk = pendingSk(task);
  return {
    pk: keys.pending(scopeKey(scope)),
    sk,
    ...task,
    dueShard: taskShard(`${task.tenantId}/${task.endpointId}/${sk}`),
    dueAt: dueAt.toISOString(),
  };
}

/** The state of a scope with no work in flight. */
export const noPendingWork = (): PendingState => ({
  deleted: new Set(),
  open: new Set(),
  renamed: new Map(),
});

/** Reads the pending partition of a scope (small: only work in flight). */
export async function readPendingState(
  doc: DocumentClient,
  tableName: string,
  scope: Scope,
): Promise<PendingState> {
  const state = noPendingWork();
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.pending(scopeKey(scope)) },
        ProjectionExpression: 'sk, #c, #n',
        ExpressionAttributeNames: { '#c': 'change', '#n': 'name' },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const it of out.Items ?? []) {
      const sk = it.sk as string;
      if (sk.startsWith('del#')) state.deleted.add(sk.slice(4));
      else if (sk.startsWith('chg#') && typeof it.change === 'string') state.open.add(it.change);
      else if (sk.startsWith('ren#') && typeof it.name === 'string') state.renamed.set(sk.slice(4), it.name);
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return state;
}

type WriteRequest =
  { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } };

/**
 * Calls one operation keeps in flight at once when it fans out (BatchGet/BatchWrite chunks, per-item work): the
 * cost of a large change grows in round trips, never in parallel requests (the client also bounds its requests in
 * flight overall: client.ts, MAX_IN_FLIGHT).
 */
export const FAN_OUT = 16;

/** BatchWriteItem in chunks of 25, `parallel` chunks at a time, retrying unprocessed items. */
export async function batchWrite(
  doc: DocumentClient,
  tableName: string,
  requests: WriteRequest[],
  parallel = FAN_OUT,
): Promise<void> {
  const chunks: WriteRequest[][] = [];
  for (let i = 0; i < requests.length; i += 25) chunks.push(requests.slice(i, i + 25));
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      let pending: WriteRequest[] = chunks[next++] ?? [];
      for (let attempt = 0; pending.length > 0; attempt++) {
        const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
        pending = (out.UnprocessedItems?.[tableName] ?? []) as WriteRequest[];
        if (pending.length > 0) await sleep(Math.min(1000, 20 * 2 ** attempt) * Math.random());
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, chunks.length) }, worker));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` over `items`, at most `parallel` at a time. */
export async function forEachLimited<T>(items: T[], parallel: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
}
