/**
 * The credential use cases over the core, as the management and console functions and the jobs use them (the
 * CredentialService facade). The SCIM and OAuth functions build only the authenticator (authenticator.ts).
 */
import { DynamoCredentialRepository } from '../../shared/adapters/dynamodb/credential-repository';
import { AccessTokens } from '../../shared/credentials/access-token';
import { CredentialService } from '../../shared/domain/credential-service';
import type { Clock } from '../../shared/domain/ports';
import type { Core } from '../runtime/core';
import { tenantDefaults } from './authenticator';

export { tenantDefaults };

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
