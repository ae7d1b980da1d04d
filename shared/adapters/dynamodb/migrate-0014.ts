/**
 * One-off backfill from the 0002 layout to the 0014 layout (docs/decisions/0014-*.md, "Migration"):
 *
 * - membership items get `memberKey` and `groupKey` (the byMember index) and `gname` (their group's displayName);
 * - users get an alias item for each work e-mail after the first (byWorkEmail);
 * - resource items lose `memberOf` and `mv`, which nothing reads any more.
 *
 * Scans the table once (parallel segments), writes only what is missing, and is idempotent: a rerun finds nothing
 * to do. Safe while the service serves traffic: every write is conditioned on the item still existing.
 */
import { GetCommand, PutCommand, ScanCommand, UpdateCommand, type DocumentClient } from './commands';
import { FAN_OUT, forEachLimited } from './membership-items';
import { keys } from './table-design';

export interface MigrationReport {
  scanned: number;
  membershipsIndexed: number;
  aliasesWritten: number;
  resourcesCleaned: number;
}

const MEMBERS_SUFFIX = '#MEMBERS';
const ignoreMissing = (e: unknown) => {
  if ((e as { name?: string }).name !== 'ConditionalCheckFailedException') throw e;
};

export async function migrateTo0014(
  doc: DocumentClient,
  tableName: string,
  options: { segments?: number } = {},
): Promise<MigrationReport> {
  const report: MigrationReport = {
    scanned: 0,
    membershipsIndexed: 0,
    aliasesWritten: 0,
    resourcesCleaned: 0,
  };
  const groupNames = new Map<string, Promise<string>>();
  const groupName = (scope: string, groupId: string): Promise<string> => {
    const key = `${scope}|${groupId}`;
    let name = groupNames.get(key);
    if (!name) {
      name = doc
        .send(
          new GetCommand({
            TableName: tableName,
            Key: { pk: keys.resources(scope, 'Group'), sk: groupId },
            ProjectionExpression: '#d.displayName',
            ExpressionAttributeNames: { '#d': 'data' },
          }),
        )
        .then((out) => String((out.Item?.data as { displayName?: unknown } | undefined)?.displayName ?? ''));
      groupNames.set(key, name);
    }
    return name;
  };

  const migrateItem = async (item: Record<string, unknown>): Promise<void> => {
    const pk = String(item.pk);
    const groupAt = pk.lastIndexOf('#G#');
    if (pk.endsWith(MEMBERS_SUFFIX) && groupAt > 0 && item.memberKey === undefined) {
      const scope = pk.slice(0, groupAt);
      const groupId = pk.slice(groupAt + 3, pk.length - MEMBERS_SUFFIX.length);
      await doc
        .send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk, sk: item.sk },
            UpdateExpression: 'SET memberKey = :m, groupKey = :gid, gname = if_not_exists(gname, :g)',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: {
              ':m': keys.memberIndex(scope, String(item.sk)),
              ':gid': groupId,
              ':g': await groupName(scope, groupId),
            },
          }),
        )
        .catch(ignoreMissing);
      report.membershipsIndexed++;
      return;
    }
    if (item.kind !== 'User' && item.kind !== 'Group') return;
    if (item.memberOf !== undefined || item.mv !== undefined) {
      await doc
        .send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk, sk: item.sk },
            UpdateExpression: 'REMOVE memberOf, mv',
            ConditionExpression: 'attribute_exists(pk)',
          }),
        )
        .catch(ignoreMissing);
      report.resourcesCleaned++;
    }
    if (item.kind === 'User' && pk.endsWith('#USERS')) {
      const scope = pk.slice(0, pk.length - '#USERS'.length);
      const emails = (item.data as { emails?: unknown } | undefined)?.emails;
      const work = Array.isArray(emails)
        ? [
            ...new Set(
              (emails as Record<string, unknown>[])
                .filter((e) => String(e?.type ?? '').toLowerCase() === 'work' && typeof e.value === 'string')
                .map((e) => String(e.value).toLowerCase()),
            ),
          ]
        : [];
      for (const email of work.slice(1)) {
        await doc
          .send(
            new PutCommand({
              TableName: tableName,
              Item: {
                pk: keys.workEmailAliases(scope),
                sk: `${String(item.sk)}#${email}`,
                kind: 'WorkEmailAlias',
                aliasOf: item.sk,
                workEmailKey: keys.workEmailIndex(scope, email),
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          )
          .then(() => report.aliasesWritten++)
          .catch(ignoreMissing);
      }
    }
  };

  const segments = options.segments ?? 4;
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      let start: Record<string, unknown> | undefined;
      do {
        const out = await doc.send(
          new ScanCommand({
            TableName: tableName,
            Segment: segment,
            TotalSegments: segments,
            ExclusiveStartKey: start,
          }),
        );
        const items = out.Items ?? [];
        report.scanned += items.length;
        await forEachLimited(items, FAN_OUT, migrateItem);
        start = out.LastEvaluatedKey;
      } while (start);
    }),
  );
  return report;
}
