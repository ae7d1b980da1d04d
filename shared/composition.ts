/**
 * The one composition root: wires adapters to services from the configuration. Lambda entry points, the local
 * server and the HTTP tests all build their container here, once per container/process.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SecretsManagerPepperSource } from './adapters/aws/pepper-secrets-manager';
import { SesMailer } from './adapters/aws/ses-mailer';
import { createDocumentClient } from './adapters/dynamodb/client';
import { DynamoConsoleSessionRepository } from './adapters/dynamodb/console-session-repository';
import { DynamoCredentialRepository } from './adapters/dynamodb/credential-repository';
import { DynamoResourceRepository } from './adapters/dynamodb/resource-repository';
import { OutboxMailer } from './adapters/local/outbox-mailer';
import { FilePepperSource } from './adapters/local/pepper-file';
import type { AppConfig } from './config';
import { AccessTokens } from './credentials/access-token';
import type { PepperSource } from './credentials/pepper';
import { DEFAULT_POLICY, type CredentialRepository, type TenantPolicy } from './domain/credential-model';
import { ConsoleSessions, DEFAULT_CONSOLE_SETTINGS, type ConsoleSettings } from './domain/console-sessions';
import { CredentialService, validatePolicy } from './domain/credential-service';
import { Jobs, type Mailer } from './domain/jobs';
import { systemClock, type Clock } from './domain/ports';
import { ScimResources } from './domain/scim-resources';
import { consoleFunction } from './http/console-edge';
import { managementFunction, type AdminAuth } from './http/management-edge';
import { oauthFunction } from './http/oauth-edge';
import { matchRoute, type FunctionId } from './http/routes';
import { scimFunction, type EdgeLogger, type ScimEdgeDeps } from './http/scim-edge';
import type { HttpRequest, HttpResponse } from './http/types';

export interface Container {
  config: AppConfig;
  doc: DynamoDBDocumentClient;
  clock: Clock;
  resources: ScimResources;
  credentials: CredentialService;
  /** Admin console setup links and sessions. */
  consoleSessions: ConsoleSessions;
  accessTokens: AccessTokens;
  edge: ScimEdgeDeps;
  /** Reminder and idle jobs (scheduled Lambdas, the local interval runner, POST /admin/v1/jobs/{job}/run). */
  jobs: Jobs;
  /** The credential store, for event consumers outside the services (SES bounces and complaints). */
  credentialRepository: CredentialRepository;
  handlers: Record<FunctionId, (req: HttpRequest) => Promise<HttpResponse>>;
}

export interface ContainerOverrides {
  clock?: Clock;
  logger?: EdgeLogger;
  doc?: DynamoDBDocumentClient;
  pepper?: PepperSource;
  mailer?: Mailer;
}

/** SES when a sender is configured; .eml files locally; otherwise a mailer that says what is missing. */
function buildMailer(config: AppConfig, clock: Clock): Mailer {
  if (config.SES_FROM) {
    return new SesMailer(
      new SESv2Client({ region: config.AWS_REGION }),
      config.SES_FROM,
      config.SES_CONFIGURATION_SET,
    );
  }
  if (config.OUTBOX_DIR || config.DYNAMODB_ENDPOINT) {
    return new OutboxMailer(config.OUTBOX_DIR ?? '.scimgate/outbox', undefined, clock);
  }
  return {
    send: () => Promise.reject(new Error('no mailer: set SES_FROM (AWS) or OUTBOX_DIR (local)')),
  };
}

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

/** Console link and session limits from the configuration (validated by ConsoleSessions at cold start). */
export function consoleSettings(config: AppConfig): ConsoleSettings {
  const num = (v: string | undefined, fallback: number) => (v === undefined ? fallback : Number(v));
  return {
    ...DEFAULT_CONSOLE_SETTINGS,
    setupLinkMinutes: num(config.CONSOLE_SETUP_LINK_MINUTES, DEFAULT_CONSOLE_SETTINGS.setupLinkMinutes),
    sessionIdleMinutes: num(config.CONSOLE_SESSION_IDLE_MINUTES, DEFAULT_CONSOLE_SETTINGS.sessionIdleMinutes),
    sessionMaxHours: num(config.CONSOLE_SESSION_MAX_HOURS, DEFAULT_CONSOLE_SETTINGS.sessionMaxHours),
  };
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
    ...(config.ACCESS_LOG === 'off'
      ? {}
      : { info: (message, extra) => console.log(JSON.stringify({ level: 'INFO', message, ...extra })) }),
  };
  const accessTokens = new AccessTokens(pepper, clock);
  const resources = new ScimResources(new DynamoResourceRepository(doc, config.TABLE_NAME), clock);
  const credentialRepo = new DynamoCredentialRepository(doc, config.TABLE_NAME);
  const credentials = new CredentialService(
    credentialRepo,
    pepper,
    clock,
    accessTokens,
    tenantDefaults(config),
  );
  const jobs = new Jobs({
    repo: credentialRepo,
    mailer: overrides.mailer ?? buildMailer(config, clock),
    // A job may run at a simulated instant: deactivation is decided and recorded at that instant.
    deactivateIdle: async (tenantId, id, now) =>
      (await new CredentialService(
        credentialRepo,
        pepper,
        { now: () => now },
        accessTokens,
        tenantDefaults(config),
      ).deactivateIdle(tenantId, id)) !== undefined,
    ...(config.CONSOLE_URL ? { consoleUrl: config.CONSOLE_URL } : {}),
    ...(config.PUBLIC_BASE_URL ? { publicBaseUrl: config.PUBLIC_BASE_URL } : {}),
  });
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
  let consoleSessions: ConsoleSessions;
  try {
    consoleSessions = new ConsoleSessions(
      new DynamoConsoleSessionRepository(doc, config.TABLE_NAME),
      credentialRepo,
      pepper,
      clock,
      consoleSettings(config),
    );
  } catch (e) {
    throw new Error(`scimgate configuration is invalid: ${(e as Error).message}`, { cause: e });
  }
  const publicBase = config.PUBLIC_BASE_URL ? { publicBaseUrl: config.PUBLIC_BASE_URL } : {};
  const consoleUrl = config.CONSOLE_URL ? { consoleUrl: config.CONSOLE_URL } : {};
  const scimUsers = scimFunction('scimUsers', edge);
  const oauthToken = oauthFunction({ credentials, accessTokens, logger, ...publicBase });
  return {
    config,
    doc,
    clock,
    resources,
    credentials,
    consoleSessions,
    credentialRepository: credentialRepo,
    accessTokens,
    edge,
    jobs,
    handlers: {
      scimUsers,
      scimGroups: scimFunction('scimGroups', edge),
      scimRoot: scimFunction('scimRoot', edge),
      oauthToken,
      management: managementFunction({
        credentials,
        logger,
        adminAuth,
        jobs,
        console: { sessions: consoleSessions, ...consoleUrl },
        ...publicBase,
      }),
      console: consoleFunction({
        sessions: consoleSessions,
        credentials,
        logger,
        // Test connection: the token endpoint and the SCIM Users list, in-process.
        probe: (req) => {
          const m = matchRoute(req.method, req.path);
          if (m.ok && m.match.route.fn === 'oauthToken') return oauthToken(req);
          return scimUsers(req);
        },
        ...publicBase,
        ...consoleUrl,
      }),
    },
  };
}
