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
import type { PepperSource } from './credentials/pepper';
import { CredentialService } from './domain/credentials';
import { systemClock, type Clock } from './domain/ports';
import { ScimResources } from './domain/scim-resources';
import { scimFunction, type EdgeLogger, type ScimEdgeDeps } from './http/scim-edge';
import type { FunctionId } from './http/routes';
import type { HttpRequest, HttpResponse } from './http/types';

export interface Container {
  config: AppConfig;
  doc: DynamoDBDocumentClient;
  resources: ScimResources;
  credentials: CredentialService;
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
  const resources = new ScimResources(new DynamoResourceRepository(doc, config.TABLE_NAME), clock);
  const credentials = new CredentialService(
    new DynamoCredentialRepository(doc, config.TABLE_NAME),
    pepper,
    clock,
  );
  const edge: ScimEdgeDeps = {
    resources,
    logger,
    authenticate: async (req, tenantId, endpointId) => {
      const auth = await credentials.authenticate(req.headers.authorization, tenantId, endpointId);
      return {
        scope: { tenantId: auth.tenantId, endpointId: auth.endpointId },
        credentialId: auth.credentialId,
      };
    },
  };
  if (config.PUBLIC_BASE_URL) edge.publicBaseUrl = config.PUBLIC_BASE_URL;
  return {
    config,
    doc,
    resources,
    credentials,
    edge,
    handlers: {
      scimUsers: scimFunction('scimUsers', edge),
      scimGroups: scimFunction('scimGroups', edge),
      scimRoot: scimFunction('scimRoot', edge),
    },
  };
}
