/**
 * AWS mailer: SES v2 SendEmail with the configuration set from the configuration (its event destination publishes
 * bounces and complaints), and `recordBounce`, which turns such an event into suppressed recipients in the table
 * so that admins see them and the jobs stop mailing them. The SNS/EventBridge wiring is infra work (docs/jobs.md).
 *
 * SendEmail is one signed REST-JSON request (./json-protocol.ts), not the SES client: the client and its smithy
 * core were ~270 KiB of the management and job bundles, parsed on every cold start for a mail a day
 * (docs/decisions/0019-dynamodb-without-the-sdk-client.md). The request's shape is the SDK's own type.
 */
import type { SendEmailRequest } from '@aws-sdk/client-sesv2';
import { jsonProtocol } from './json-protocol';
import type { CredentialSource } from './sigv4';
import type { CredentialRepository, SuppressedRecipient } from '../../domain/credential-model';
import type { Mailer, MailMessage } from '../../domain/jobs';

/** Message tag naming the tenants a message is about (tenant ids contain no '.'). */
export const TENANTS_TAG = 'tenants';

/** Sends one SES v2 SendEmail request. */
export type SendEmail = (request: SendEmailRequest) => Promise<unknown>;

export interface SesOptions {
  region: string;
  credentials: CredentialSource;
  /** Default `https://email.<region>.amazonaws.com` (tests point it at a local server). */
  endpoint?: string;
}

/** SES v2 SendEmail (POST /v2/email/outbound-emails), with the protocol module's time limits and retries. */
export function sesSendEmail(options: SesOptions): SendEmail {
  const protocol = jsonProtocol({
    endpoint: options.endpoint ?? `https://email.${options.region}.amazonaws.com`,
    region: options.region,
    service: 'ses',
    addressing: { paths: { SendEmail: '/v2/email/outbound-emails' } },
    credentials: options.credentials,
    limits: { connectionTimeoutMs: 3_000, attemptTimeoutMs: 13_000, maxAttempts: 3 },
    maxSockets: 4,
  });
  return async (request) => (await protocol.call('SendEmail', request)).output;
}

export class SesMailer implements Mailer {
  constructor(
    private readonly sendEmail: SendEmail,
    private readonly from: string,
    private readonly configurationSet?: string,
  ) {}

  async send(message: MailMessage): Promise<void> {
    const tenants = (message.tenantIds ?? []).join('.').slice(0, 256);
    await this.sendEmail({
      FromEmailAddress: this.from,
      Destination: { ToAddresses: [message.to] },
      Content: {
        Simple: {
          Subject: { Data: message.subject, Charset: 'UTF-8' },
          Body: {
            Text: { Data: message.text, Charset: 'UTF-8' },
            Html: { Data: message.html, Charset: 'UTF-8' },
          },
        },
      },
      ...(this.configurationSet ? { ConfigurationSetName: this.configurationSet } : {}),
      EmailTags: [
        { Name: 'app', Value: 'scimgate-reminders' },
        ...(tenants ? [{ Name: TENANTS_TAG, Value: tenants }] : []),
      ],
    });
  }
}

interface SesEvent {
  eventType?: string;
  notificationType?: string;
  mail?: { tags?: Record<string, string[]>; timestamp?: string };
  bounce?: {
    bounceType?: string;
    timestamp?: string;
    bouncedRecipients?: { emailAddress?: string; diagnosticCode?: string }[];
  };
  complaint?: {
    timestamp?: string;
    complainedRecipients?: { emailAddress?: string }[];
    complaintFeedbackType?: string;
  };
}

/** The SES event inside an EventBridge event (`detail`), an SNS-to-Lambda event or the bare event. */
function unwrap(input: unknown): SesEvent[] {
  const o = input as { detail?: unknown; Records?: { Sns?: { Message?: string } }[] };
  if (o && typeof o === 'object' && Array.isArray(o.Records)) {
    return o.Records.flatMap((r) => (r.Sns?.Message ? unwrap(JSON.parse(r.Sns.Message)) : []));
  }
  if (o && typeof o === 'object' && o.detail && typeof o.detail === 'object') return [o.detail as SesEvent];
  return o && typeof o === 'object' ? [o as SesEvent] : [];
}

/**
 * Records permanent bounces and complaints as suppressed recipients of the tenants the message was about.
 * Transient bounces (mailbox full, …) are ignored: SES retries them. Returns what it recorded.
 */
export async function recordBounce(
  repo: Pick<CredentialRepository, 'recordSuppressed'>,
  event: unknown,
  now: Date = new Date(),
): Promise<SuppressedRecipient[]> {
  const out: SuppressedRecipient[] = [];
  for (const e of unwrap(event)) {
    const type = e.eventType ?? e.notificationType;
    const tenants = (e.mail?.tags?.[TENANTS_TAG] ?? []).flatMap((v) => v.split('.')).filter(Boolean);
    let entries: { email: string; detail?: string }[];
    let reason: SuppressedRecipient['reason'];
    if (type === 'Bounce' && e.bounce?.bounceType === 'Permanent') {
      reason = 'bounce';
      entries = (e.bounce.bouncedRecipients ?? []).flatMap((r) =>
        r.emailAddress
          ? [
              {
                email: r.emailAddress,
                ...(r.diagnosticCode ? { detail: r.diagnosticCode.slice(0, 300) } : {}),
              },
            ]
          : [],
      );
    } else if (type === 'Complaint') {
      reason = 'complaint';
      entries = (e.complaint?.complainedRecipients ?? []).flatMap((r) =>
        r.emailAddress
          ? [
              {
                email: r.emailAddress,
                ...(e.complaint?.complaintFeedbackType ? { detail: e.complaint.complaintFeedbackType } : {}),
              },
            ]
          : [],
      );
    } else continue;
    for (const tenantId of tenants) {
      for (const entry of entries) {
        const s: SuppressedRecipient = {
          tenantId,
          email: entry.email.trim().toLowerCase(),
          reason,
          at: now.toISOString(),
        };
        if (entry.detail) s.detail = entry.detail;
        await repo.recordSuppressed(s);
        out.push(s);
      }
    }
  }
  return out;
}
