/**
 * DynamoDB implementation of the console session port. Links and sessions are single items keyed by tenant + HMAC
 * of their secret (never the secret); DynamoDB TTL removes them after they expire.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DocumentClient } from './commands';
import type { ConsoleSessionRepository, SessionRecord, SetupLinkRecord } from '../../domain/console-sessions';
import { SINGLETON_SK, TTL_ATTRIBUTE, keys } from './table-design';

const epoch = (iso: string) => Math.floor(Date.parse(iso) / 1000);

function strip<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, [TTL_ATTRIBUTE]: _ttl, ...rest } = item;
  return rest as T;
}

export class DynamoConsoleSessionRepository implements ConsoleSessionRepository {
  constructor(
    private readonly doc: DocumentClient,
    private readonly tableName: string,
  ) {}

  async putSetupLink(link: SetupLinkRecord): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: keys.setupLink(link.tenantId, link.hash),
          sk: SINGLETON_SK,
          ...link,
          // Kept a day past expiry, so a late attempt is still refused as used/expired rather than unknown.
          [TTL_ATTRIBUTE]: epoch(link.expiresAt) + 86_400,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async consumeSetupLink(tenantId: string, hash: string, now: string): Promise<SetupLinkRecord | undefined> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: keys.setupLink(tenantId, hash), sk: SINGLETON_SK },
          UpdateExpression: 'SET usedAt = :now',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(usedAt) AND expiresAt > :now',
          ExpressionAttributeValues: { ':now': now },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return strip<SetupLinkRecord>(out.Attributes);
    } catch (e) {
      if ((e as { name?: string }).name === 'ConditionalCheckFailedException') return undefined;
      throw e;
    }
  }

  async putSession(session: SessionRecord): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: keys.session(session.tenantId, session.hash),
          sk: SINGLETON_SK,
          ...session,
          [TTL_ATTRIBUTE]: epoch(session.expiresAt),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async getSession(tenantId: string, hash: string): Promise<SessionRecord | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: keys.session(tenantId, hash), sk: SINGLETON_SK },
        // Sign-out and deletion take effect at once.
        ConsistentRead: true,
      }),
    );
    return strip<SessionRecord>(out.Item);
  }

  async touchSession(tenantId: string, hash: string, at: string): Promise<void> {
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: keys.session(tenantId, hash), sk: SINGLETON_SK },
          // Never resurrect a session signed out in the meantime, never move lastSeenAt backwards.
          UpdateExpression: 'SET lastSeenAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND lastSeenAt < :at',
          ExpressionAttributeValues: { ':at': at },
        }),
      )
      .catch((e: { name?: string }) => {
        if (e.name !== 'ConditionalCheckFailedException') throw e;
      });
  }

  async deleteSession(tenantId: string, hash: string): Promise<void> {
    await this.doc.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: { pk: keys.session(tenantId, hash), sk: SINGLETON_SK },
      }),
    );
  }
}
