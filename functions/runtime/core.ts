/**
 * The small core every function is built on: validated configuration, the DynamoDB document client, the clock,
 * the pepper and the one logger. Built once per container (module scope in Lambda, once per process locally);
 * each function's composition root (functions/compose/*.ts) builds only the services it uses on top of it.
 */
import type { DocumentClient } from '../../shared/adapters/dynamodb/commands';
import { createDocumentClient, type DynamoTimeouts } from '../../shared/adapters/dynamodb/client';
import { translateStorageError } from '../../shared/adapters/dynamodb/errors';
import { SecretsManagerPepperSource } from '../../shared/adapters/aws/pepper-secrets-manager';
import { secretsManagerReader } from '../../shared/adapters/aws/secrets-manager';
import { FilePepperSource } from '../../shared/adapters/local/pepper-file';
import { loadConfig, type AppConfig } from '../../shared/config';
import { PepperConfigError, type PepperSource } from '../../shared/credentials/pepper';
import { systemClock, type Clock } from '../../shared/domain/ports';
import type { EdgeLogger } from '../../shared/http/api-family';
import { consoleLogger, lambdaLogger } from './observability';

export interface Core {
  config: AppConfig;
  doc: DocumentClient;
  clock: Clock;
  pepper: PepperSource;
  logger: EdgeLogger;
}

export interface CoreOverrides {
  clock?: Clock;
  logger?: EdgeLogger;
  doc?: DocumentClient;
  pepper?: PepperSource;
  /** DynamoDB client timeouts (tests of a frozen store use short ones). */
  timeouts?: Partial<DynamoTimeouts>;
}

/** A supplier of the core: each function calls it once, on its first invocation (or at init in Lambda). */
export type CoreSupplier = () => Core;

/**
 * The pepper of the deployment: a local file, or Secrets Manager read with one signed request on first use, with
 * the DynamoDB client's credentials (no Secrets Manager client: shared/adapters/aws/secrets-manager.ts).
 */
function pepperFor(config: AppConfig, doc: DocumentClient): PepperSource {
  if (config.PEPPER_FILE) return new FilePepperSource(config.PEPPER_FILE);
  let source: SecretsManagerPepperSource | undefined;
  return {
    load: async () => {
      try {
        if (!config.AWS_REGION)
          throw new PepperConfigError('AWS_REGION is not set: the pepper is in Secrets Manager');
        source ??= new SecretsManagerPepperSource(
          secretsManagerReader({ region: config.AWS_REGION, credentials: doc.credentials }),
          config.PEPPER_SECRET_ID ?? '',
        );
        return await source.load();
      } catch (e) {
        // Secrets Manager throttled or unreachable is the same 503 as a busy table, never a 500.
        throw translateStorageError(e);
      }
    },
  };
}

export function buildCore(config: AppConfig, overrides: CoreOverrides = {}): Core {
  const doc =
    overrides.doc ??
    createDocumentClient({
      region: config.AWS_REGION,
      endpoint: config.DYNAMODB_ENDPOINT,
      localInMemory: config.DYNAMODB_LOCAL_IN_MEMORY === 'true',
      ...(overrides.timeouts ? { timeouts: overrides.timeouts } : {}),
    });
  return {
    config,
    doc,
    clock: overrides.clock ?? systemClock,
    pepper: overrides.pepper ?? pepperFor(config, doc),
    logger:
      overrides.logger ?? (process.env.AWS_LAMBDA_FUNCTION_NAME ? lambdaLogger() : consoleLogger(config)),
  };
}

let core: Core | undefined;

/** The core of this container, from the environment (Lambda, the local server). */
export const coreFromEnv: CoreSupplier = () => (core ??= buildCore(loadConfig()));

/**
 * Builds a function's services from the core once, on first use (or at Lambda init), with the core's AWS clients
 * instrumented by the function's observability where it has any.
 */
export function lazyServices<S>(
  supplier: CoreSupplier,
  build: (core: Core) => S,
  instrument?: (doc: DocumentClient) => DocumentClient,
): () => { core: Core; services: S } {
  let built: { core: Core; services: S } | undefined;
  return () => {
    if (!built) {
      const core = supplier();
      if (instrument) core.doc = instrument(core.doc);
      built = { core, services: build(core) };
    }
    return built;
  };
}
