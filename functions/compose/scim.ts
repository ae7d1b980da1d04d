/** Composition root of the three SCIM functions: resources and the authenticator over the core, nothing else. */
import { DynamoResourceRepository } from '../../shared/adapters/dynamodb/resource-repository';
import { ScimResources } from '../../shared/domain/scim-resources';
import type { ApiFamily } from '../../shared/http/api-family';
import { scimFamily, type ScimEdgeDeps } from '../../shared/http/scim-edge';
import type { Core } from '../runtime/core';
import { authenticatorParts } from './authenticator';
import { startScimRequestRecord } from '../../shared/domain/request-log';

export function scimDeps(core: Core): ScimEdgeDeps {
  const { authenticator, repository } = authenticatorParts(core);
  const publicBaseUrl = core.config.PUBLIC_BASE_URL;
  return {
    resources: new ScimResources(new DynamoResourceRepository(core.doc, core.config.TABLE_NAME), core.clock),
    logger: core.logger,
    ...(publicBaseUrl ? { publicBaseUrl } : {}),
    startRecord: (r) => startScimRequestRecord(repository, core.clock, r),
    authenticate: async (req, tenantId, endpointId) => {
      const auth = await authenticator.authenticate(
        {
          authorization: req.headers.authorization,
          sourceIp: req.sourceIp,
          userAgent: req.userAgent,
          origin: publicBaseUrl ?? req.origin,
        },
        tenantId,
        endpointId,
      );
      return {
        scope: { tenantId: auth.tenantId, endpointId: auth.endpointId },
        credentialId: auth.credentialId,
        ...(auth.guard ? { guard: auth.guard } : {}),
      };
    },
  };
}

export const scimUsers = (core: Core): ApiFamily => scimFamily('scimUsers', scimDeps(core));
export const scimGroups = (core: Core): ApiFamily => scimFamily('scimGroups', scimDeps(core));
export const scimRoot = (core: Core): ApiFamily => scimFamily('scimRoot', scimDeps(core));
