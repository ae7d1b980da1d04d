/**
 * Credentials: issuing secrets and authenticating SCIM requests with them. A secret is shown once, stored only
 * as HMAC-SHA256 with the pepper, and looked up by that hash under its tenant: one DynamoDB read per request.
 */
import { randomUUID } from 'node:crypto';
import { ScimError } from '../scim/errors';
import { parseAuthorization, wwwAuthenticate } from '../credentials/authorization';
import { candidateHashes, hashSecret, type PepperSource } from '../credentials/pepper';
import { generateSecret, parseSecret, secretHint, type SecretKind } from '../credentials/secret-format';
import type { Clock } from './ports';

export type CredentialStatus = 'active' | 'revoked';

export interface Tenant {
  id: string;
  name: string;
  createdAt: string;
}

export interface Credential {
  id: string;
  tenantId: string;
  kind: SecretKind;
  name: string;
  status: CredentialStatus;
  createdAt: string;
  expiresAt: string;
  /** SCIM endpoints the credential may call; ['*'] = every endpoint of the tenant. */
  endpoints: string[];
  /** Prefix + last 4 characters: all a listing ever shows. */
  hint: string;
}

/** The item found by hash on every request: everything authentication needs, denormalised. */
export interface SecretRecord {
  tenantId: string;
  credentialId: string;
  kind: SecretKind;
  status: CredentialStatus;
  expiresAt: string;
  endpoints: string[];
  pepperVersion: number;
}

export interface CredentialRepository {
  /** Creates the tenant unless it exists; returns false when it already existed. */
  createTenant(tenant: Tenant): Promise<boolean>;
  getTenant(tenantId: string): Promise<Tenant | undefined>;
  /** One transaction: the credential and its secret lookup item. */
  createCredential(credential: Credential, secret: SecretRecord, hash: string): Promise<void>;
  getCredential(tenantId: string, credentialId: string): Promise<Credential | undefined>;
  /** One read, by key. */
  findSecret(tenantId: string, hash: string): Promise<SecretRecord | undefined>;
}

export interface IssuedCredential {
  credential: Credential;
  /** The secret, shown exactly once. */
  secret: string;
}

export interface AuthenticatedCredential {
  tenantId: string;
  endpointId: string;
  credentialId: string;
}

const TENANT_ID = /^[a-z0-9](?:[a-z0-9-]{0,62})$/;
const ENDPOINT_ID = /^[a-z0-9](?:[a-z0-9-]{0,62})$/;

export function isValidTenantId(id: string): boolean {
  return TENANT_ID.test(id);
}

export function isValidEndpointId(id: string): boolean {
  return ENDPOINT_ID.test(id);
}

function unauthorized(description: string | undefined): ScimError {
  const header = wwwAuthenticate(
    description === undefined
      ? { scheme: 'Bearer' }
      : { scheme: 'Bearer', error: 'invalid_token', description },
  );
  return new ScimError(
    401,
    description === undefined ? 'authentication required' : `invalid credentials: ${description}`,
    undefined,
    {
      'www-authenticate': header,
    },
  );
}

export class CredentialService {
  constructor(
    private readonly repo: CredentialRepository,
    private readonly pepper: PepperSource,
    private readonly clock: Clock,
  ) {}

  async ensureTenant(id: string, name: string): Promise<Tenant> {
    if (!isValidTenantId(id))
      throw ScimError.invalidValue(`tenant id '${id}' must be 1-63 lowercase letters, digits or '-'`);
    const tenant: Tenant = { id, name, createdAt: this.clock.now().toISOString() };
    await this.repo.createTenant(tenant);
    return (await this.repo.getTenant(id)) ?? tenant;
  }

  async issueBearer(
    tenantId: string,
    options: { name: string; lifetimeDays: number; endpoints?: string[] },
  ): Promise<IssuedCredential> {
    const tenant = await this.repo.getTenant(tenantId);
    if (!tenant) throw ScimError.notFound(`tenant ${tenantId} not found`);
    const now = this.clock.now();
    const secret = generateSecret('bearer');
    const pepper = await this.pepper.load();
    const { hash, version } = hashSecret(pepper, secret);
    const credential: Credential = {
      id: randomUUID(),
      tenantId,
      kind: 'bearer',
      name: options.name,
      status: 'active',
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + options.lifetimeDays * 86_400_000).toISOString(),
      endpoints: options.endpoints ?? ['*'],
      hint: secretHint(secret),
    };
    await this.repo.createCredential(
      credential,
      {
        tenantId,
        credentialId: credential.id,
        kind: 'bearer',
        status: 'active',
        expiresAt: credential.expiresAt,
        endpoints: credential.endpoints,
        pepperVersion: version,
      },
      hash,
    );
    return { credential, secret };
  }

  /**
   * Verifies the Authorization header for a SCIM request to `tenantId`/`endpointId`. Malformed tokens are refused
   * before any read; a token of another tenant is simply not found under this tenant (no existence leak).
   */
  async authenticate(
    authorization: string | undefined,
    tenantId: string,
    endpointId: string,
  ): Promise<AuthenticatedCredential> {
    const attempt = parseAuthorization(authorization);
    if (attempt.kind === 'none') throw unauthorized(undefined);
    if (attempt.kind !== 'token') throw unauthorized('unsupported or malformed credentials');
    const parsed = parseSecret(attempt.token);
    if (!parsed || (parsed.kind !== 'bearer' && parsed.kind !== 'gateway'))
      throw unauthorized('malformed token');
    if (!isValidTenantId(tenantId) || !isValidEndpointId(endpointId)) throw unauthorized('unknown token');
    const pepper = await this.pepper.load();
    let record: SecretRecord | undefined;
    for (const candidate of candidateHashes(pepper, attempt.token)) {
      record = await this.repo.findSecret(tenantId, candidate.hash);
      if (record) break;
    }
    if (!record || record.tenantId !== tenantId) throw unauthorized('unknown token');
    if (record.status === 'revoked') throw unauthorized('token revoked');
    if (Date.parse(record.expiresAt) <= this.clock.now().getTime()) throw unauthorized('token expired');
    if (!record.endpoints.includes('*') && !record.endpoints.includes(endpointId))
      throw unauthorized('unknown token');
    return { tenantId, endpointId, credentialId: record.credentialId };
  }
}
