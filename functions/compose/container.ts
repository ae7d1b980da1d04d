/**
 * Every service and every HTTP handler over one shared core: for the local server's in-process needs (the dev
 * tenant, the job loop), the HTTP tests (a shared clock and captured logs) and the benchmarks. The handlers are
 * the very middy handlers the Lambda entries export, built by the same composition roots; no Lambda entry imports
 * this file.
 */
import type { DocumentClient } from '../../shared/adapters/dynamodb/commands';
import type { MembershipWorker } from '../../shared/adapters/dynamodb/membership-worker';
import type { AppConfig } from '../../shared/config';
import type { AccessTokens } from '../../shared/credentials/access-token';
import type { CredentialRepository } from '../../shared/domain/credential-model';
import type { ConsoleSessions } from '../../shared/domain/console-sessions';
import type { CredentialService } from '../../shared/domain/credential-service';
import type { Jobs, Mailer } from '../../shared/domain/jobs';
import type { Clock } from '../../shared/domain/ports';
import type { ScimResources } from '../../shared/domain/scim-resources';
import type { EdgeLogger } from '../../shared/http/api-family';
import type { FunctionId } from '../../shared/http/routes';
import type { ScimEdgeDeps } from '../../shared/http/scim-edge';
import { buildCore, type Core, type CoreOverrides } from '../runtime/core';
import { httpFunction, type LambdaHttpHandler } from '../runtime/http-function';
import { eventFunction, type EventHandler } from '../runtime/event-function';
import type { EventPublisher } from '../../shared/domain/events/model';
import { consoleSessions } from './console-sessions';
import { credentialParts } from './credentials';
import { eventReader, type EventReader } from './event-keys';
import { consumeStream, eventStreamServices, type StreamBatch } from './event-stream';
import { FAMILIES } from './families';
import { buildJobs } from './jobs';
import { membershipWorker } from './membership';
import { scimDeps } from './scim';

export interface Container {
  config: AppConfig;
  core: Core;
  doc: DocumentClient;
  clock: Clock;
  resources: ScimResources;
  credentials: CredentialService;
  /** Admin console setup links and sessions. */
  consoleSessions: ConsoleSessions;
  accessTokens: AccessTokens;
  edge: ScimEdgeDeps;
  jobs: Jobs;
  /** Background membership work (deleted resources, stale staged changes, renames): docs/decisions/0014. */
  membershipWorker: MembershipWorker;
  credentialRepository: CredentialRepository;
  /** The Lambda handler of every HTTP function, over this container's core. */
  handlers: Record<FunctionId, LambdaHttpHandler>;
  /** Change events: the tenants' logs and SET keys (events API), and the event-stream function's handler. */
  events: EventReader & { streamHandler: EventHandler<StreamBatch, { events: number }> };
}

export interface ContainerOverrides extends CoreOverrides {
  logger?: EdgeLogger;
  mailer?: Mailer;
  /** Where the event-stream handler delivers besides the log (default: none; EventBridge/webhook come from config). */
  eventPublishers?: EventPublisher[];
}

export function buildContainer(config: AppConfig, overrides: ContainerOverrides = {}): Container {
  const core = buildCore(config, overrides);
  const { repository, accessTokens, credentials } = credentialParts(core);
  const edge = scimDeps(core);
  const handlers = Object.fromEntries(
    (Object.keys(FAMILIES) as FunctionId[]).map((fn) => [
      fn,
      httpFunction(fn, FAMILIES[fn], { core: () => core }),
    ]),
  ) as unknown as Record<FunctionId, LambdaHttpHandler>;
  return {
    config,
    core,
    doc: core.doc,
    clock: core.clock,
    resources: edge.resources,
    credentials,
    consoleSessions: consoleSessions(core),
    accessTokens,
    edge,
    jobs: buildJobs(core, overrides.mailer ? { mailer: overrides.mailer } : {}),
    membershipWorker: membershipWorker(core),
    credentialRepository: repository,
    handlers,
    events: {
      ...eventReader(core),
      streamHandler: eventFunction(
        'event stream',
        (c) => eventStreamServices(c, overrides.eventPublishers ?? []),
        consumeStream,
        { core: () => core },
      ),
    },
  };
}
