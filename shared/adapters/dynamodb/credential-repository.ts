import {
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { Credential, CredentialRepository, SecretRecord, Tenant } from '../../domain/credentials';
import { SINGLETON_SK, keys } from './table-design';

const TENANT_SK = 'TENANT';
const credentialSk = (id: string) => `CRED#${id}`;

/** DynamoDB implementation of the credential port. Secret items are keyed by tenant + HMAC, never by the secret. */
export class DynamoCredentialRepository implements CredentialRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async createTenant(tenant: Tenant): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: keys.tenant(tenant.id), sk: TENANT_SK, ...tenant },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (e) {
      if ((e as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw e;
    }
  }

  async getTenant(tenantId: string): Promise<Tenant | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: keys.tenant(tenantId), sk: TENANT_SK },
        ConsistentRead: true,
      }),
    );
    if (!out.Item) return undefined;
    return {
      id: out.Item.id as string,
      name: out.Item.name as string,
      createdAt: out.Item.createdAt as string,
    };
  }

  async createCredential(credential: Credential, secret: SecretRecord, hash: string): Promise<void> {
    await this.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.tableName,
              Item: { pk: keys.tenant(credential.tenantId), sk: credentialSk(credential.id), ...credential },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: this.tableName,
              Item: { pk: keys.secret(secret.tenantId, hash), sk: SINGLETON_SK, ...secret },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
  }

  async getCredential(tenantId: string, credentialId: string): Promise<Credential | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: keys.tenant(tenantId), sk: credentialSk(credentialId) },
      }),
    );
    if (!out.Item) return undefined;
    const { pk: _pk, sk: _sk, ...rest } = out.Item;
    return rest as Credential;
  }

  async findSecret(tenantId: string, hash: string): Promise<SecretRecord | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: keys.secret(tenantId, hash), sk: SINGLETON_SK },
        // Revocation must take effect at once: a strongly consistent read.
        ConsistentRead: true,
      }),
    );
    if (!out.Item) return undefined;
    const { pk: _pk, sk: _sk, ...rest } = out.Item;
    return rest as SecretRecord;
  }
}
