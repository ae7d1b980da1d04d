/**
 * Typed per-stage settings. The app picks one with `-c stage=<name>` (default `dev`); nothing else in infra/
 * branches on the stage name.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { JOB_ENTRIES } from '../functions/entries';
import { EVENT_TYPES } from '../shared/domain/events/model';
import type { JobName } from '../shared/domain/jobs';

/**
 * Who owns the SES identity the jobs send from.
 * - `domain`: the Mail stack creates a domain identity for the sender's domain (Easy DKIM; publish the three CNAME
 *   records it lists in the SES console, docs/deploy.md).
 * - `address`: the Mail stack creates an e-mail address identity (SES mails a verification link to it).
 * - `external`: the domain identity is verified and managed elsewhere (another stack, another team); the stacks
 *   only reference it by ARN and never create or delete it.
 */
export type SenderIdentity = 'domain' | 'address' | 'external';
export const SENDER_IDENTITIES: readonly SenderIdentity[] = ['domain', 'address', 'external'];

export interface StageConfig {
  /** Used in stack names (`Scimgate-<name>-Data`, `Scimgate-<name>-Api`). */
  name: string;
  /** E-mail subscription of the alarm topic (confirm the subscription mail once after the first deploy). */
  alarmEmail?: string;
  /** Retention of the Lambda and API access log groups. */
  logRetention: RetentionDays;
  /** Default-stage throttling of the HTTP API (all routes, all tenants together). */
  throttle: { rateLimit: number; burstLimit: number };
  /** Origin for generated URLs (meta.location) when the API sits behind a custom domain. */
  publicBaseUrl?: string;
  /**
   * Optional custom domain of the API: an API Gateway domain name with this ACM certificate (same region), mapped to
   * the API. Generated URLs then use `https://<domainName>` unless publicBaseUrl says otherwise. Point DNS at the
   * `CustomDomainTarget` output (CNAME or alias).
   */
  customDomain?: { domainName: string; certificateArn: string };
  /** From address of reminder and idle mails (SES_FROM). Without one there is no Mail stack and jobs cannot mail. */
  senderAddress?: string;
  /** Who creates the SES identity of the sender (see SenderIdentity). */
  senderIdentity: SenderIdentity;
  /** Synth fails without a sender address (a stage where the jobs must be able to mail). */
  requireSender: boolean;
  /** Admin console link in mails for tenants whose policy names none (CONSOLE_URL). */
  consoleUrl?: string;
  /** EventBridge Scheduler expressions (UTC) of the scheduled jobs. */
  schedules: Record<JobName, string>;
  /** Retries of a failed job run (scheduler delivery and Lambda async invocation; 0–2) before the DLQ. */
  jobRetryAttempts: number;
  /**
   * Powertools Tracer in every function: an X-Ray subsegment per DynamoDB call. Costs bundle size and cold-start
   * time (docs/benchmarks.md); Lambda's active tracing records each invocation either way.
   */
  detailedTracing: boolean;
  /** Credential policy of new tenants (days); each tenant can change its own through the management API. */
  tenantDefaults: { defaultLifetimeDays: number; maxLifetimeDays: number; idleDays: number };
  /** Per-tenant webhooks of the change events (EventBridge API destinations; docs/events.md). */
  eventWebhooks?: EventWebhook[];
}

/** A tenant's webhook (context `eventWebhooks`, a JSON list; docs/events.md). */
export interface EventWebhook {
  tenant: string;
  /** HTTPS endpoint the events are POSTed to (the event JSON with its SET in `set`). */
  url: string;
  /** Header the API key goes in (e.g. `authorization` or `x-api-key`). */
  headerName: string;
  /** Secrets Manager secret the tenant's key is kept in (JSON field `secretJsonField`, default `apiKey`). */
  secretArn: string;
  secretJsonField?: string;
  /** Only these event types (default: all). */
  types?: string[];
  rateLimitPerSecond?: number;
}

/** Parses and checks the `eventWebhooks` context value (a JSON list of EventWebhook). */
export function parseEventWebhooks(raw: unknown): EventWebhook[] {
  let list: unknown;
  try {
    list = typeof raw === 'string' ? JSON.parse(raw) : raw;
  } catch {
    throw new Error('context eventWebhooks must be a JSON list');
  }
  if (!Array.isArray(list)) throw new Error('context eventWebhooks must be a JSON list');
  const tenants = new Set<string>();
  return list.map((entry: unknown, i) => {
    const w = entry as Partial<Record<keyof EventWebhook, unknown>>;
    const where = `context eventWebhooks[${i}]`;
    if (typeof w.tenant !== 'string' || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(w.tenant))
      throw new Error(`${where}.tenant must be a tenant id`);
    if (tenants.has(w.tenant)) throw new Error(`${where}: tenant ${w.tenant} has a webhook already`);
    tenants.add(w.tenant);
    if (typeof w.url !== 'string' || !URL_PATTERN.test(w.url))
      throw new Error(`${where}.url must be an https URL`);
    if (typeof w.headerName !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(w.headerName))
      throw new Error(`${where}.headerName must be an HTTP header name`);
    if (
      typeof w.secretArn !== 'string' ||
      !/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(w.secretArn)
    )
      throw new Error(`${where}.secretArn must be the ARN of a Secrets Manager secret`);
    const hook: EventWebhook = {
      tenant: w.tenant,
      url: w.url,
      headerName: w.headerName,
      secretArn: w.secretArn,
    };
    if (w.secretJsonField !== undefined) hook.secretJsonField = String(w.secretJsonField);
    if (w.types !== undefined) {
      if (!Array.isArray(w.types) || !w.types.every((t) => (EVENT_TYPES as readonly unknown[]).includes(t)))
        throw new Error(`${where}.types must list event types (docs/events.md)`);
      hook.types = w.types as string[];
    }
    if (w.rateLimitPerSecond !== undefined) {
      const n = Number(w.rateLimitPerSecond);
      if (!Number.isInteger(n) || n < 1 || n > 300)
        throw new Error(`${where}.rateLimitPerSecond must be 1-300`);
      hook.rateLimitPerSecond = n;
    }
    return hook;
  });
}

/** The jobs' own cadences (functions/entries.ts), which the reminder schedule is designed around. */
const DEFAULT_SCHEDULES: Record<JobName, string> = {
  reminders: JOB_ENTRIES.reminders.schedule,
  idle: JOB_ENTRIES.idle.schedule,
};

export const STAGES = {
  dev: {
    name: 'dev',
    logRetention: RetentionDays.TWO_WEEKS,
    throttle: { rateLimit: 20, burstLimit: 40 },
    senderIdentity: 'domain',
    requireSender: false,
    schedules: DEFAULT_SCHEDULES,
    jobRetryAttempts: 1,
    detailedTracing: false,
    tenantDefaults: { defaultLifetimeDays: 90, maxLifetimeDays: 180, idleDays: 30 },
  },
  prod: {
    name: 'prod',
    logRetention: RetentionDays.ONE_YEAR,
    throttle: { rateLimit: 200, burstLimit: 400 },
    senderIdentity: 'domain',
    requireSender: true,
    schedules: DEFAULT_SCHEDULES,
    jobRetryAttempts: 2,
    detailedTracing: false,
    tenantDefaults: { defaultLifetimeDays: 365, maxLifetimeDays: 730, idleDays: 30 },
  },
} as const satisfies Record<string, StageConfig>;

export type StageName = keyof typeof STAGES;

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const ORIGIN = /^https:\/\/[^/\s]+$/;
const URL_PATTERN = /^https:\/\/[^\s]+$/;

function isStageName(name: string): name is StageName {
  return Object.hasOwn(STAGES, name);
}

/**
 * Resolves a stage from CDK context values: `stage` (default `dev`), and optional `alarmEmail`, `publicBaseUrl`,
 * `customDomain` + `certificateArn`,
 * `senderAddress`, `senderIdentity` and `consoleUrl` overrides. Unknown stages, malformed values and a missing
 * sender where the stage requires one fail the synth.
 */
export function resolveStage(context: {
  stage?: unknown;
  alarmEmail?: unknown;
  publicBaseUrl?: unknown;
  customDomain?: unknown;
  certificateArn?: unknown;
  senderAddress?: unknown;
  senderIdentity?: unknown;
  consoleUrl?: unknown;
  eventWebhooks?: unknown;
}): StageConfig {
  const name = context.stage === undefined ? 'dev' : String(context.stage);
  if (!isStageName(name)) {
    throw new Error(`unknown stage "${name}"; expected one of: ${Object.keys(STAGES).join(', ')}`);
  }
  const stage: StageConfig = { ...STAGES[name] };
  if (context.alarmEmail !== undefined) {
    const email = String(context.alarmEmail);
    if (!EMAIL.test(email)) throw new Error('context alarmEmail is not an e-mail address');
    stage.alarmEmail = email;
  }
  if (context.publicBaseUrl !== undefined) {
    const origin = String(context.publicBaseUrl);
    if (!ORIGIN.test(origin)) throw new Error('context publicBaseUrl must be an https origin without a path');
    stage.publicBaseUrl = origin;
  }
  if (context.customDomain !== undefined || context.certificateArn !== undefined) {
    const domainName = String(context.customDomain ?? '');
    const certificateArn = String(context.certificateArn ?? '');
    if (!/^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(domainName)) {
      throw new Error('context customDomain must be a lower-case domain name (and needs certificateArn)');
    }
    if (!/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/.test(certificateArn)) {
      throw new Error('context certificateArn must be the ARN of an ACM certificate for customDomain');
    }
    stage.customDomain = { domainName, certificateArn };
    stage.publicBaseUrl ??= `https://${domainName}`;
  }
  if (context.senderAddress !== undefined) {
    const sender = String(context.senderAddress);
    if (!EMAIL.test(sender)) throw new Error('context senderAddress is not an e-mail address');
    stage.senderAddress = sender.toLowerCase();
  }
  if (context.senderIdentity !== undefined) {
    const identity = String(context.senderIdentity);
    if (!SENDER_IDENTITIES.includes(identity as SenderIdentity)) {
      throw new Error(`context senderIdentity must be one of: ${SENDER_IDENTITIES.join(', ')}`);
    }
    stage.senderIdentity = identity as SenderIdentity;
  }
  if (context.consoleUrl !== undefined) {
    const url = String(context.consoleUrl);
    if (!URL_PATTERN.test(url)) throw new Error('context consoleUrl must be an https URL');
    stage.consoleUrl = url;
  }
  if (context.eventWebhooks !== undefined) stage.eventWebhooks = parseEventWebhooks(context.eventWebhooks);
  if (stage.requireSender && !stage.senderAddress) {
    throw new Error(
      `stage "${name}" needs a sender for job mails: -c senderAddress=<address> (and -c senderIdentity=external ` +
        'if the SES identity is managed elsewhere)',
    );
  }
  return stage;
}
