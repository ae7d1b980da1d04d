/**
 * The credential services over the core: what the SCIM and OAuth functions authenticate with, and what the
 * management function and the jobs manage credentials with.
 */
import { DynamoCredentialRepository } from '../../shared/adapters/dynamodb/credential-repository';
import type { AppConfig } from '../../shared/config';
import { AccessTokens } from '../../shared/credentials/access-token';
import { DEFAULT_POLICY, type TenantPolicy } from '../../shared/domain/credential-model';
import { CredentialService, validatePolicy } from '../../shared/domain/credential-service';
import type { Clock } from '../../shared/domain/ports';
import type { Core } from '../runtime/core';

/** The deployment's policy for new tenants: DEFAULT_POLICY with the configured lifetimes and idle window. */
export function tenantDefaults(config: AppConfig): TenantPolicy {
  const days = (v: string | undefined, fallback: number) => (v === undefined ? fallback : Number(v));
  const policy: TenantPolicy = {
    ...DEFAULT_POLICY,
    defaultLifetimeDays: days(config.TENANT_DEFAULT_LIFETIME_DAYS, DEFAULT_POLICY.defaultLifetimeDays),
    maxLifetimeDays: days(config.TENANT_MAX_LIFETIME_DAYS, DEFAULT_POLICY.maxLifetimeDays),
    idleDays: days(config.TENANT_IDLE_DAYS, DEFAULT_POLICY.idleDays),
  };
  try {
    return validatePolicy(policy);
  } catch (e) {
    // Fails the cold start, not the first tenant creation.
    throw new Error(`scimgate configuration is invalid: tenant defaults: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

export interface CredentialParts {
  repository: DynamoCredentialRepository;
  accessTokens: AccessTokens;
  credentials: CredentialService;
}

export function credentialParts(core: Core, clock: Clock = core.clock): CredentialParts {
  const repository = new DynamoCredentialRepository(core.doc, core.config.TABLE_NAME);
  const accessTokens = new AccessTokens(core.pepper, clock);
  const credentials = new CredentialService(
    repository,
    core.pepper,
    clock,
    accessTokens,
    tenantDefaults(core.config),
  );
  return { repository, accessTokens, credentials };
}
