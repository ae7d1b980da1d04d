/**
 * Local mailer: every message becomes an RFC 5322 `.eml` file (multipart/alternative: plain text, then HTML) in
 * the outbox directory (default `.scimgate/outbox/`), plus one log line. Open the files with any mail client.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Mailer, MailMessage } from '../../domain/jobs';
import { systemClock, type Clock } from '../../domain/ports';

const CRLF = '\r\n';

/** RFC 2047 encoded-word when the header is not plain ASCII. */
function header(value: string): string {
  return /^[\x20-\x7e]*$/.test(value)
    ? value
    : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

function base64Lines(body: string): string {
  return (
    Buffer.from(body, 'utf8')
      .toString('base64')
      .match(/.{1,76}/g) ?? []
  ).join(CRLF);
}

/** "Tue, 03 Mar 2026 14:00:00 +0000" */
function rfc5322Date(d: Date): string {
  return d.toUTCString().replace(/GMT$/, '+0000');
}

export function toEml(message: MailMessage, from: string, date: Date): string {
  const boundary = `=_scimgate_${randomUUID()}`;
  return [
    `From: ${from}`,
    `To: ${message.to}`,
    `Subject: ${header(message.subject)}`,
    `Date: ${rfc5322Date(date)}`,
    `Message-ID: <${randomUUID()}@scimgate.local>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(message.text),
    `--${boundary}`,
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(message.html),
    `--${boundary}--`,
    '',
  ].join(CRLF);
}

export class OutboxMailer implements Mailer {
  constructor(
    private readonly dir: string,
    private readonly from = 'scimgate <no-reply@scimgate.local>',
    private readonly clock: Clock = systemClock,
    private readonly log: (line: string) => void = (line) => console.log(line),
  ) {}

  async send(message: MailMessage): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const now = this.clock.now();
    const safe = message.to.replace(/[^a-zA-Z0-9@._-]/g, '_');
    const file = join(
      this.dir,
      `${now.toISOString().replace(/[:.]/g, '-')}-${safe}-${randomUUID().slice(0, 8)}.eml`,
    );
    writeFileSync(file, toEml(message, this.from, now));
    this.log(
      JSON.stringify({
        level: 'INFO',
        message: 'mail written to the outbox',
        to: message.to,
        subject: message.subject,
        file,
      }),
    );
  }
}
