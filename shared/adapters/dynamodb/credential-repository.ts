/**
 * DynamoDB implementation of the credential port. Secret items are keyed by tenant + HMAC, never by the secret,
 * and carry everything authentication needs (one read per request).
 */
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type TransactWriteCommandInput,
  type DocumentClient,
} from './commands';
import { readItems } from './key-reads';
import type * as z from 'zod/mini';
import type {
  AdminMember,
  AuditEvent,
  Credential,
  CredentialRepository,
  DueEntry,
  Endpoint,
  ReminderClaim,
  ScimRequestRecord,
  SecretRecord,
  SecretSlot,
  SuppressedRecipient,
  Tenant,
  TenantPolicy,
} from '../../domain/credential-model';
import * as schemas from '../../domain/credential-schemas';
import { VersionConflict } from '../../domain/ports';
import { isTransactionCancelled } from './errors';
import { pendingRecord } from './membership-items';
import { DUE_SHARDS, INDEXES, SINGLETON_SK, TTL_ATTRIBUTE, keys } from './table-design';

type DocTransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>[number];

const TENANT_SK = 'TENANT';
const REGISTRY_PK = 'REGISTRY#TENANTS';
const AUDIT_RETENTION_DAYS = 400;
/** Claims are kept as long as the audit log: a rerun months later still finds them. */
const CLAIM_RETENTION_DAYS = 400;

const sk = {
  endpoint: (id: string) => `ENDPOINT#${id}`,
  admin: (id: string) => `ADMIN#${id}`,
  credential: (id: string) => `CRED#${id}`,
};
const auditPk = (tenantId: string, credentialId?: string) =>
  credentialId ? `${keys.tenant(tenantId)}#AUDIT#CRED#${credentialId}` : `${keys.tenant(tenantId)}#AUDIT`;

/**
 * A stored item that does not match its schema (credential-schemas.ts): refused on the way in, so that no use case
 * decides on a malformed item. The message names the fields and what is wrong, never their values.
 */
export class StoredItemInvalid extends Error {
  override readonly name = 'StoredItemInvalid';
  constructor(what: string, issues: readonly { path: readonly PropertyKey[]; code: string }[]) {
    const where = issues.slice(0, 5).map((i) => `${i.path.map(String).join('.') || '(item)'}: ${i.code}`);
    super(`stored ${what} does not match its schema (${where.join('; ')})`);
  }
}

/** The item without its keys, parsed with `schema` (unknown attributes dropped). */
function parseItem<S extends z.ZodMiniType>(
  schema: S,
  item: Record<string, unknown> | undefined,
  what: string,
): z.infer<S> | undefined {
  const rest = strip<Record<string, unknown>>(item);
  if (rest === undefined) return undefined;
  const parsed = schema.safeParse(rest);
  if (!parsed.success) throw new StoredItemInvalid(what, parsed.error.issues);
  return parsed.data;
}

function strip<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, [TTL_ATTRIBUTE]: _ttl, dueShard: _ds, dueAt: _da, ...rest } = item;
  return rest as T;
}

/** The byDue index keys of a credential item: present only while something will be due (sparse index). */
function dueKeys(c: Credential): Record<string, string> {
  return c.nextDueAt ? { dueShard: keys.dueShard(c.id), dueAt: c.nextDueAt } : {};
}

function credentialItem(c: Credential): Record<string, unknown> {
  return { pk: keys.tenant(c.tenantId), sk: sk.credential(c.id), ...c, ...dueKeys(c) };
}

const claimSk = (slot: string, recipient: string) => `${slot}#${recipient}`;

export function secretRecordOf(c: Credential, slot: SecretSlot): SecretRecord {
  const r: SecretRecord = {
    tenantId: c.tenantId,
    credentialId: c.id,
    kind: c.kind,
    slotId: slot.id,
    status: c.status,
    expiresAt: c.expiresAt,
    endpoints: c.endpoints,
    roles: c.roles,
    allowedDomains: c.allowedDomains,
    idleDays: c.idleDays,
    activeSince: c.activeSince,
    adminActive: c.adminActive,
  };
  if (c.lastUsedAt) r.lastUsedAt = c.lastUsedAt;
  if (slot.retiresAt) r.retiresAt = slot.retiresAt;
  if (slot.firstUsedAt) r.firstUsedAt = slot.firstUsedAt;
  if (c.clientId) r.clientId = c.clientId;
  if (c.username) r.username = c.username;
  return r;
}

export class DynamoCredentialRepository implements CredentialRepository {
  constructor(
    private readonly doc: DocumentClient,
    private readonly tableName: string,
  ) {}

  private async putIfAbsent(item: Record<string, unknown>): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (e) {
      if ((e as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw e;
    }
  }

  private async queryAll(pk: string, prefix?: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: prefix ? 'pk = :pk AND begins_with(sk, :p)' : 'pk = :pk',
          ExpressionAttributeValues: prefix ? { ':pk': pk, ':p': prefix } : { ':pk': pk },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...((out.Items ?? []) as Record<string, unknown>[]));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** One transaction; false when a condition failed (nothing was written). */
  private async transactOrFalse(
    TransactItems: NonNullable<TransactWriteCommandInput['TransactItems']>,
  ): Promise<boolean> {
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems }));
      return true;
    } catch (e) {
      if (isTransactionCancelled(e)) return false;
      throw e;
    }
  }

  /** One strongly consistent read of an item by key, parsed with its schema. */
  private async getItem<S extends z.ZodMiniType>(
    schema: S,
    what: string,
    pk: string,
    skValue: string,
  ): Promise<z.infer<S> | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk, sk: skValue }, ConsistentRead: true }),
    );
    return parseItem(schema, out.Item, what);
  }

  async putTenant(tenant: Tenant): Promise<boolean> {
    return this.transactOrFalse([
      {
        Put: {
          TableName: this.tableName,
          Item: { pk: keys.tenant(tenant.id), sk: TENANT_SK, ...tenant },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      // The operator's list of tenants (management API); not tenant data.
      { Put: { TableName: this.tableName, Item: { pk: REGISTRY_PK, sk: tenant.id } } },
    ]);
  }

  async getTenant(tenantId: string): Promise<Tenant | undefined> {
    return this.getItem(schemas.tenant, 'tenant', keys.tenant(tenantId), TENANT_SK);
  }

  async listTenants(): Promise<Tenant[]> {
    const ids = (await this.queryAll(REGISTRY_PK)).map((i) => i.sk as string);
    const tenants = await Promise.all(ids.map((id) => this.getTenant(id)));
    return tenants.filter((t): t is Tenant => t !== undefined);
  }

  async updatePolicy(tenantId: string, policy: TenantPolicy): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: keys.tenant(tenantId), sk: TENANT_SK },
        UpdateExpression: 'SET policy = :p',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':p': policy },
      }),
    );
  }

  /** False when the endpoint exists, or when a deleted endpoint of that id is still being purged. */
  async putEndpoint(endpoint: Endpoint): Promise<boolean> {
    const purge = pendingRecord(
      { taskType: 'endpoint', tenantId: endpoint.tenantId, endpointId: endpoint.id, id: endpoint.id },
      new Date(),
    );
    return this.transactOrFalse([
      {
        Put: {
          TableName: this.tableName,
          Item: { pk: keys.tenant(endpoint.tenantId), sk: sk.endpoint(endpoint.id), ...endpoint },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        ConditionCheck: {
          TableName: this.tableName,
          Key: { pk: purge.pk, sk: purge.sk },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ]);
  }

  async listEndpoints(tenantId: string): Promise<Endpoint[]> {
    return (await this.queryAll(keys.tenant(tenantId), 'ENDPOINT#'))
      .map((i) => parseItem(schemas.endpoint, i, 'endpoint')!)
      .filter((e) => e.deletedAt === undefined);
  }

  async getEndpoint(tenantId: string, endpointId: string): Promise<Endpoint | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: keys.tenant(tenantId), sk: sk.endpoint(endpointId) },
        ConsistentRead: true,
      }),
    );
    return parseItem(schemas.endpoint, out.Item, 'endpoint');
  }

  /**
   * Marks the endpoint deleted (the tombstone keeps its id: no credential reaches it again) and records its SCIM
   * data for the background purge (docs/decisions/0014-*.md), in one transaction.
   */
  async deleteEndpoint(tenantId: string, endpointId: string, at: string): Promise<boolean> {
    return this.transactOrFalse([
      {
        Update: {
          TableName: this.tableName,
          Key: { pk: keys.tenant(tenantId), sk: sk.endpoint(endpointId) },
          UpdateExpression: 'SET deletedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(deletedAt)',
          ExpressionAttributeValues: { ':at': at },
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: pendingRecord({ taskType: 'endpoint', tenantId, endpointId, id: endpointId }, new Date(at)),
        },
      },
    ]);
  }

  async setApplicationUrl(
    tenantId: string,
    endpointId: string | undefined,
    url: string | undefined,
  ): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: {
            pk: keys.tenant(tenantId),
            sk: endpointId === undefined ? TENANT_SK : sk.endpoint(endpointId),
          },
          UpdateExpression: url === undefined ? 'REMOVE applicationUrl' : 'SET applicationUrl = :u',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(deletedAt)',
          ...(url === undefined ? {} : { ExpressionAttributeValues: { ':u': url } }),
        }),
      );
      return true;
    } catch (e) {
      if ((e as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw e;
    }
  }

  putAdmin(admin: AdminMember): Promise<boolean> {
    return this.putIfAbsent({ pk: keys.tenant(admin.tenantId), sk: sk.admin(admin.id), ...admin });
  }

  async getAdmin(tenantId: string, adminId: string): Promise<AdminMember | undefined> {
    return this.getItem(schemas.adminMember, 'admin', keys.tenant(tenantId), sk.admin(adminId));
  }

  async listAdmins(tenantId: string): Promise<AdminMember[]> {
    return (await this.queryAll(keys.tenant(tenantId), 'ADMIN#')).map((i) =>
      parseItem(schemas.adminMember, i, 'admin')!,
    );
  }

  async updateAdmin(admin: AdminMember): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: keys.tenant(admin.tenantId), sk: sk.admin(admin.id), ...admin },
      }),
    );
  }

  async deleteAdmin(tenantId: string, adminId: string): Promise<void> {
    await this.doc.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: { pk: keys.tenant(tenantId), sk: sk.admin(adminId) },
      }),
    );
  }

  private secretPuts(c: Credential): DocTransactItem[] {
    return c.secrets.map((slot) => ({
      Put: {
        TableName: this.tableName,
        Item: { pk: keys.secret(c.tenantId, slot.hash), sk: SINGLETON_SK, ...secretRecordOf(c, slot) },
      },
    }));
  }

  async createCredential(credential: Credential): Promise<void> {
    await this.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.tableName,
              Item: credentialItem(credential),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          ...this.secretPuts(credential),
        ],
      }),
    );
  }

  async getCredential(tenantId: string, credentialId: string): Promise<Credential | undefined> {
    return this.getItem(schemas.credential, 'credential', keys.tenant(tenantId), sk.credential(credentialId));
  }

  async listCredentials(tenantId: string): Promise<Credential[]> {
    return (await this.queryAll(keys.tenant(tenantId), 'CRED#')).map((i) =>
      parseItem(schemas.credential, i, 'credential')!,
    );
  }

  async saveCredential(
    credential: Credential,
    expectedVersion: number,
    removedHashes: string[],
  ): Promise<void> {
    const live = new Set(credential.secrets.map((s) => s.hash));
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                // A Put replaces the item: without nextDueAt the byDue keys are gone and it leaves the index.
                Item: credentialItem(credential),
                ConditionExpression: 'version = :v',
                ExpressionAttributeValues: { ':v': expectedVersion },
              },
            },
            ...this.secretPuts(credential),
            ...[...new Set(removedHashes)]
              .filter((h) => !live.has(h))
              .map((h): DocTransactItem => ({
                Delete: {
                  TableName: this.tableName,
                  Key: { pk: keys.secret(credential.tenantId, h), sk: SINGLETON_SK },
                },
              })),
          ],
        }),
      );
    } catch (e) {
      const err = e as { name?: string; CancellationReasons?: { Code?: string }[] };
      if (
        err.name === 'TransactionCanceledException' &&
        err.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
      ) {
        throw new VersionConflict();
      }
      if (
        err.name === 'TransactionCanceledException' &&
        err.CancellationReasons?.some((r) => r.Code === 'TransactionConflict')
      ) {
        throw new VersionConflict();
      }
      throw e;
    }
  }

  async deleteCredential(credential: Credential): Promise<void> {
    await this.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Delete: {
              TableName: this.tableName,
              Key: { pk: keys.tenant(credential.tenantId), sk: sk.credential(credential.id) },
            },
          },
          ...credential.secrets.map((s): DocTransactItem => ({
            Delete: {
              TableName: this.tableName,
              Key: { pk: keys.secret(credential.tenantId, s.hash), sk: SINGLETON_SK },
            },
          })),
        ],
      }),
    );
  }

  async findSecret(
    tenantId: string,
    hash: string,
    endpointId?: string,
  ): Promise<{ secret: SecretRecord | undefined; endpoint: Endpoint | undefined }> {
    const secretKey = { pk: keys.secret(tenantId, hash), sk: SINGLETON_SK };
    if (endpointId === undefined)
      // Revocation must take effect at once: strongly consistent.
      return {
        secret: await this.getItem(schemas.secretRecord, 'secret record', secretKey.pk, secretKey.sk),
        endpoint: undefined,
      };
    const endpointKey = { pk: keys.tenant(tenantId), sk: sk.endpoint(endpointId) };
    // Both keys in one strongly consistent call (BatchGetItem).
    const items = await readItems(this.doc, this.tableName, [secretKey, endpointKey]);
    const find = (k: { pk: string; sk: string }) => items.find((it) => it.pk === k.pk && it.sk === k.sk);
    return {
      secret: parseItem(schemas.secretRecord, find(secretKey), 'secret record'),
      endpoint: parseItem(schemas.endpoint, find(endpointKey), 'endpoint'),
    };
  }

  async touch(
    tenantId: string,
    credentialId: string,
    hashes: string[],
    at: string,
    ip: string,
    userAgent: string,
  ): Promise<void> {
    const values = { ':at': at, ':ip': ip, ':ua': userAgent };
    await this.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: this.tableName,
              Key: { pk: keys.tenant(tenantId), sk: sk.credential(credentialId) },
              UpdateExpression: 'SET lastUsedAt = :at, lastUsedIp = :ip, lastUsedUserAgent = :ua',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: values,
            },
          },
          ...hashes.map((h): DocTransactItem => ({
            Update: {
              TableName: this.tableName,
              Key: { pk: keys.secret(tenantId, h), sk: SINGLETON_SK },
              UpdateExpression: 'SET lastUsedAt = :at',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':at': at },
            },
          })),
        ],
      }),
    );
  }

  async recordRequest(tenantId: string, request: ScimRequestRecord, id: string): Promise<void> {
    await this.doc.send(
      new PutCommand({ TableName: this.tableName, Item: this.requestRecordItem(tenantId, request, id) }),
    );
  }

  requestRecordItem(tenantId: string, request: ScimRequestRecord, id: string): Record<string, unknown> {
    const ttl = Math.floor(Date.parse(request.at) / 1000) + schemas.REQUEST_LOG_DAYS * 86_400;
    return {
      pk: keys.requests(tenantId, request.credentialId),
      sk: `${request.at}#${id}`,
      ...request,
      [TTL_ATTRIBUTE]: ttl,
    };
  }

  async listRequests(tenantId: string, credentialId: string, limit: number): Promise<ScimRequestRecord[]> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.requests(tenantId, credentialId) },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map((i) => parseItem(schemas.scimRequest, i, 'SCIM request')!);
  }

  async appendAudit(event: AuditEvent): Promise<void> {
    const ttl = Math.floor(Date.parse(event.at) / 1000) + AUDIT_RETENTION_DAYS * 86_400;
    const item = { sk: `${event.at}#${event.id}`, ...event, [TTL_ATTRIBUTE]: ttl };
    const puts: DocTransactItem[] = [
      { Put: { TableName: this.tableName, Item: { pk: auditPk(event.tenantId), ...item } } },
    ];
    if (event.credentialId) {
      puts.push({
        Put: {
          TableName: this.tableName,
          Item: { pk: auditPk(event.tenantId, event.credentialId), ...item },
        },
      });
    }
    if (puts.length === 1) await this.doc.send(new PutCommand(puts[0]!.Put!));
    else await this.doc.send(new TransactWriteCommand({ TransactItems: puts }));
  }

  async listAudit(
    tenantId: string,
    options: { credentialId?: string; limit: number; before?: string },
  ): Promise<{ events: AuditEvent[]; next?: string }> {
    const pk = auditPk(tenantId, options.credentialId);
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: options.before ? 'pk = :pk AND sk < :b' : 'pk = :pk',
        ExpressionAttributeValues: options.before ? { ':pk': pk, ':b': options.before } : { ':pk': pk },
        ScanIndexForward: false,
        Limit: options.limit,
      }),
    );
    const events = (out.Items ?? []).map((i) => strip<AuditEvent>(i)!);
    const last = out.LastEvaluatedKey?.sk as string | undefined;
    return last ? { events, next: last } : { events };
  }

  async countFailure(
    tenantId: string,
    source: string,
    windowStart: number,
    ttlSeconds: number,
  ): Promise<number> {
    const out = await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `${keys.tenant(tenantId)}#AUTHFAIL#${source.slice(0, 100)}`, sk: String(windowStart) },
        UpdateExpression: 'ADD n :one SET #ttl = :ttl',
        ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':one': 1, ':ttl': windowStart + ttlSeconds },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(out.Attributes?.n ?? 1);
  }

  // ---------------------------------------------------------------- reminder and idle jobs

  async listDue(now: string, limit: number): Promise<DueEntry[]> {
    // One query per shard, in parallel; each pages until `limit` (the oldest due first within a shard).
    const shards = await Promise.all(
      Array.from({ length: DUE_SHARDS }, async (_, shard) => {
        const out: DueEntry[] = [];
        let start: Record<string, unknown> | undefined;
        do {
          const page = await this.doc.send(
            new QueryCommand({
              TableName: this.tableName,
              IndexName: INDEXES.byDue.name,
              KeyConditionExpression: 'dueShard = :s AND dueAt <= :now',
              ExpressionAttributeValues: { ':s': `DUE#${shard}`, ':now': now },
              ProjectionExpression: 'tenantId, id, dueAt',
              Limit: Math.min(limit - out.length, 500),
              ExclusiveStartKey: start,
            }),
          );
          for (const i of page.Items ?? []) {
            out.push({
              tenantId: i.tenantId as string,
              credentialId: i.id as string,
              dueAt: i.dueAt as string,
            });
          }
          start = page.LastEvaluatedKey;
        } while (start && out.length < limit);
        return out;
      }),
    );
    return shards
      .flat()
      .sort((a, b) => a.dueAt.localeCompare(b.dueAt))
      .slice(0, limit);
  }

  async setDue(
    tenantId: string,
    credentialId: string,
    dueAt: string | undefined,
    expectedVersion: number,
  ): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: keys.tenant(tenantId), sk: sk.credential(credentialId) },
          ...(dueAt
            ? {
                UpdateExpression: 'SET nextDueAt = :d, dueAt = :d, dueShard = :s',
                ExpressionAttributeValues: {
                  ':d': dueAt,
                  ':s': keys.dueShard(credentialId),
                  ':v': expectedVersion,
                },
              }
            : {
                UpdateExpression: 'REMOVE nextDueAt, dueAt, dueShard',
                ExpressionAttributeValues: { ':v': expectedVersion },
              }),
          ConditionExpression: 'version = :v',
        }),
      );
      return true;
    } catch (e) {
      if ((e as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw e;
    }
  }

  async listClaims(tenantId: string, credentialId: string, slotPrefix: string): Promise<ReminderClaim[]> {
    return (await this.queryAll(keys.reminderClaims(tenantId, credentialId), slotPrefix)).map((i) =>
      strip<ReminderClaim>(i)!,
    );
  }

  claim(claim: ReminderClaim): Promise<boolean> {
    return this.putIfAbsent({
      pk: keys.reminderClaims(claim.tenantId, claim.credentialId),
      sk: claimSk(claim.slot, claim.recipient),
      ...claim,
      [TTL_ATTRIBUTE]: Math.floor(Date.parse(claim.claimedAt) / 1000) + CLAIM_RETENTION_DAYS * 86_400,
    });
  }

  async markSent(
    tenantId: string,
    credentialId: string,
    slot: string,
    recipient: string,
    at: string,
    reclaimedAt?: string,
  ): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: keys.reminderClaims(tenantId, credentialId), sk: claimSk(slot, recipient) },
        UpdateExpression: `SET #state = :sent, sentAt = :at${reclaimedAt ? ', claimedAt = :c' : ''}`,
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':sent': 'sent',
          ':at': at,
          ...(reclaimedAt ? { ':c': reclaimedAt } : {}),
        },
      }),
    );
  }

  async releaseClaim(tenantId: string, credentialId: string, slot: string, recipient: string): Promise<void> {
    await this.doc
      .send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: keys.reminderClaims(tenantId, credentialId), sk: claimSk(slot, recipient) },
          // Never delete a claim another run already marked sent.
          ConditionExpression: '#state = :claimed',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':claimed': 'claimed' },
        }),
      )
      .catch((e: { name?: string }) => {
        if (e.name !== 'ConditionalCheckFailedException') throw e;
      });
  }

  async recordSuppressed(entry: SuppressedRecipient): Promise<void> {
    const email = entry.email.trim().toLowerCase();
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: keys.suppressed(entry.tenantId), sk: email, ...entry, email },
      }),
    );
  }

  async listSuppressed(tenantId: string): Promise<SuppressedRecipient[]> {
    return (await this.queryAll(keys.suppressed(tenantId))).map((i) => strip<SuppressedRecipient>(i)!);
  }
}
