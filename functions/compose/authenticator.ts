/**
 * The authenticator over the core: all the SCIM and OAuth functions need of the credential use cases. It imports
 * no lifecycle, tenant administration or management code (test/infra/authenticator-imports.test.ts).
 */
import { DynamoCredentialRepository } from '../../shared/adapters/dynamodb/credential-repository';
import type { AppConfig } from '../../shared/config';
import { AccessTokens } from '../../shared/credentials/access-token';
import { Authenticator } from '../../shared/domain/authenticator';
import { DEFAULT_POLICY, type TenantPolicy } from '../../shared/domain/credential-model';
import { validatePolicy } from '../../shared/domain/credential-rules';
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

export interface AuthenticatorParts {
  repository: DynamoCredentialRepository;
  accessTokens: AccessTokens;
  authenticator: Authenticator;
}

export function authenticatorParts(core: Core): AuthenticatorParts {
  const repository = new DynamoCredentialRepository(core.doc, core.config.TABLE_NAME);
  const accessTokens = new AccessTokens(core.pepper, core.clock);
  const ctx = { repo: repository, clock: core.clock, defaults: tenantDefaults(core.config) };
  return { repository, accessTokens, authenticator: new Authenticator(ctx, core.pepper, accessTokens) };
}
