/**
 * The one composition root: wires adapters to services from the configuration. Lambda entry points, the local
 * server and the HTTP tests all build their container here, once per container/process.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SecretsManagerPepperSource } from './adapters/aws/pepper-secrets-manager';
import { createDocumentClient } from './adapters/dynamodb/client';
import { DynamoCredentialRepository } from './adapters/dynamodb/credential-repository';
import { DynamoResourceRepository } from './adapters/dynamodb/resource-repository';
import { FilePepperSource } from './adapters/local/pepper-file';
import type { AppConfig } from './config';
import { AccessTokens } from './credentials/access-token';
import type { PepperSource } from './credentials/pepper';
import { CredentialService } from './domain/credential-service';
import { systemClock, type Clock } from './domain/ports';
import { ScimResources } from './domain/scim-resources';
import { managementFunction, type AdminAuth } from './http/management-edge';
import { oauthFunction } from './http/oauth-edge';
import type { FunctionId } from './http/routes';
import { scimFunction, type EdgeLogger, type ScimEdgeDeps } from './http/scim-edge';
import type { HttpRequest, HttpResponse } from './http/types';

export interface Container {
  config: AppConfig;
  doc: DynamoDBDocumentClient;
  clock: Clock;
  resources: ScimResources;
  credentials: CredentialService;
  accessTokens: AccessTokens;
  edge: ScimEdgeDeps;
  handlers: Record<FunctionId, (req: HttpRequest) => Promise<HttpResponse>>;
}

export interface ContainerOverrides {
  clock?: Clock;
  logger?: EdgeLogger;
  doc?: DynamoDBDocumentClient;
  pepper?: PepperSource;
}

export function buildContainer(config: AppConfig, overrides: ContainerOverrides = {}): Container {
  const doc =
    overrides.doc ?? createDocumentClient({ region: config.AWS_REGION, endpoint: config.DYNAMODB_ENDPOINT });
  const clock = overrides.clock ?? systemClock;
  const pepper =
    overrides.pepper ??
    (config.PEPPER_FILE
      ? new FilePepperSource(config.PEPPER_FILE)
      : new SecretsManagerPepperSource(
          new SecretsManagerClient({ region: config.AWS_REGION }),
          config.PEPPER_SECRET_ID ?? '',
        ));
  const logger: EdgeLogger = overrides.logger ?? {
    error: (message, extra) => console.error(JSON.stringify({ level: 'ERROR', message, ...extra })),
    warn: (message, extra) => console.warn(JSON.stringify({ level: 'WARN', message, ...extra })),
  };
  const accessTokens = new AccessTokens(pepper, clock);
  const resources = new ScimResources(new DynamoResourceRepository(doc, config.TABLE_NAME), clock);
  const credentials = new CredentialService(
    new DynamoCredentialRepository(doc, config.TABLE_NAME),
    pepper,
    clock,
    accessTokens,
  );
  const edge: ScimEdgeDeps = {
    resources,
    logger,
    authenticate: async (req, tenantId, endpointId) => {
      const auth = await credentials.authenticate(
        {
          authorization: req.headers.authorization,
          sourceIp: req.sourceIp,
          userAgent: req.userAgent,
          origin: config.PUBLIC_BASE_URL ?? req.origin,
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
  if (config.PUBLIC_BASE_URL) edge.publicBaseUrl = config.PUBLIC_BASE_URL;
  const adminAuth: AdminAuth = config.ADMIN_KEY ? { mode: 'key', key: config.ADMIN_KEY } : { mode: 'iam' };
  return {
    config,
    doc,
    clock,
    resources,
    credentials,
    accessTokens,
    edge,
    handlers: {
      scimUsers: scimFunction('scimUsers', edge),
      scimGroups: scimFunction('scimGroups', edge),
      scimRoot: scimFunction('scimRoot', edge),
      oauthToken: oauthFunction({
        credentials,
        accessTokens,
        logger,
        ...(config.PUBLIC_BASE_URL ? { publicBaseUrl: config.PUBLIC_BASE_URL } : {}),
      }),
      management: managementFunction({ credentials, logger, adminAuth }),
    },
  };
}
