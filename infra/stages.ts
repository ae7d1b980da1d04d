/**
 * Typed per-stage settings. The app picks one with `-c stage=<name>` (default `dev`); nothing else in infra/
 * branches on the stage name.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

export interface StageConfig {
  /** Used in stack names (`Scimgate-<name>-Data`, `Scimgate-<name>-Api`). */
  name: string;
  /**
   * Where alarms will be sent. Reserved: alarms are not built yet (docs/deploy.md, "not yet"), so this is
   * validated but not wired to anything.
   */
  alarmEmail?: string;
  /** Retention of the Lambda and API access log groups. */
  logRetention: RetentionDays;
  /** Default-stage throttling of the HTTP API (all routes, all tenants together). */
  throttle: { rateLimit: number; burstLimit: number };
  /** Origin for generated URLs (meta.location) when the API sits behind a custom domain. */
  publicBaseUrl?: string;
}

export const STAGES = {
  dev: {
    name: 'dev',
    logRetention: RetentionDays.TWO_WEEKS,
    throttle: { rateLimit: 20, burstLimit: 40 },
  },
  prod: {
    name: 'prod',
    logRetention: RetentionDays.ONE_YEAR,
    throttle: { rateLimit: 200, burstLimit: 400 },
  },
} as const satisfies Record<string, StageConfig>;

export type StageName = keyof typeof STAGES;

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const ORIGIN = /^https:\/\/[^/\s]+$/;

function isStageName(name: string): name is StageName {
  return Object.hasOwn(STAGES, name);
}

/**
 * Resolves a stage from CDK context values: `stage` (default `dev`), and optional `alarmEmail` and
 * `publicBaseUrl` overrides. Unknown stages and malformed values fail the synth.
 */
export function resolveStage(context: {
  stage?: unknown;
  alarmEmail?: unknown;
  publicBaseUrl?: unknown;
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
  return stage;
}
