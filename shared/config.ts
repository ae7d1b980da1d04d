/**
 * Configuration, parsed once per container from the environment. Missing required values fail the cold start.
 */
import * as z from 'zod/mini';

const ConfigSchema = z
  .object({
    TABLE_NAME: z.string().check(z.minLength(1)),
    AWS_REGION: z.optional(z.string()),
    /** DynamoDB Local (local run, tests). */
    DYNAMODB_ENDPOINT: z.optional(z.string()),
    /** `true` when that DynamoDB Local keeps nothing across a restart (`-inMemory`: npm start's in-memory mode, the benchmarks). */
    DYNAMODB_LOCAL_IN_MEMORY: z.optional(z.enum(['true', 'false'])),
    /** Pepper: a local file (local run) or a Secrets Manager secret id (AWS). Exactly one. */
    PEPPER_FILE: z.optional(z.string()),
    PEPPER_SECRET_ID: z.optional(z.string()),
    /** Origin for generated URLs when behind a custom domain, e.g. https://scim.example.com */
    PUBLIC_BASE_URL: z.optional(z.string()),
    /** Local run: the management API requires this key. Absent in AWS, where API Gateway authorises with IAM. */
    ADMIN_KEY: z.optional(z.string().check(z.minLength(32))),
    /** Reminder and idle mails (docs/jobs.md). In AWS: the SES sender address and configuration set. */
    SES_FROM: z.optional(z.string().check(z.minLength(3))),
    SES_CONFIGURATION_SET: z.optional(z.string().check(z.minLength(1))),
    /** Local run: mails become .eml files here instead of going through SES (default .scimgate/outbox). */
    OUTBOX_DIR: z.optional(z.string().check(z.minLength(1))),
    /** Policy of new tenants (whole days; each tenant can change its own): see DEFAULT_POLICY. */
    TENANT_DEFAULT_LIFETIME_DAYS: z.optional(z.string().check(z.regex(/^\d{1,4}$/))),
    TENANT_MAX_LIFETIME_DAYS: z.optional(z.string().check(z.regex(/^\d{1,4}$/))),
    TENANT_IDLE_DAYS: z.optional(z.string().check(z.regex(/^\d{1,4}$/))),
    /** One access-log line per HTTP request (default on); the benchmarks turn it off. */
    ACCESS_LOG: z.optional(z.enum(['on', 'off'])),
    /** Delay of the second background pass over a deleted resource's memberships (default 60; docs/decisions/0014). */
    MEMBERSHIP_SECOND_PASS_SECONDS: z.optional(z.string().check(z.regex(/^\d{1,4}$/))),
    /** Change events (docs/events.md). AWS: the bus events are put on, and the SET signing seed's secret. */
    EVENT_BUS_NAME: z.optional(z.string().check(z.minLength(1))),
    SET_KEY_SECRET_ID: z.optional(z.string().check(z.minLength(1))),
    /** Local run: the SET signing seed's file, and a URL every event is POSTed to. */
    SET_KEY_FILE: z.optional(z.string().check(z.minLength(1))),
    EVENTS_WEBHOOK_URL: z.optional(z.url()),
    /** `iss` of the Security Event Tokens (default: PUBLIC_BASE_URL, else "scimgate"). */
    EVENTS_ISSUER: z.optional(z.string().check(z.minLength(1))),
    /** Admin console link in mails for tenants whose policy names none, and the base of setup links. */
    CONSOLE_URL: z.optional(z.string().check(z.minLength(1))),
    /** `on` in the local server only: POST /admin/v1/jobs/{job}/run (simulated clock) is served. Never in AWS. */
    LOCAL_JOBS_ROUTE: z.optional(z.enum(['on', 'off'])),
    /** Console setup links and sessions (docs/console.md): default link validity, idle and absolute session limits. */
    CONSOLE_SETUP_LINK_MINUTES: z.optional(z.string().check(z.regex(/^\d{1,5}$/))),
    CONSOLE_SESSION_IDLE_MINUTES: z.optional(z.string().check(z.regex(/^\d{1,4}$/))),
    CONSOLE_SESSION_MAX_HOURS: z.optional(z.string().check(z.regex(/^\d{1,3}$/))),
  })
  .check(
    z.refine((c) => Boolean(c.PEPPER_FILE) !== Boolean(c.PEPPER_SECRET_ID), {
      message: 'set exactly one of PEPPER_FILE and PEPPER_SECRET_ID',
    }),
  );

export type AppConfig = z.infer<typeof ConfigSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`).join('; ');
    throw new Error(`scimgate configuration is invalid: ${issues}`);
  }
  return parsed.data;
}
