import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { recordBounce, SesMailer } from '../../shared/adapters/aws/ses-mailer';
import type { SuppressedRecipient } from '../../shared/domain/credential-model';

const ses = mockClient(SESv2Client);
const message = {
  to: 'ops@example.com',
  subject: 'S',
  html: '<p>H</p>',
  text: 'T',
  tenantIds: ['acme', 'beta-co'],
};

beforeEach(() => ses.reset());

describe('SesMailer', () => {
  it('should send HTML and text with the configuration set and the tenants tag', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    await new SesMailer(
      new SESv2Client({ region: 'eu-west-1' }),
      'scimgate <no-reply@example.com>',
      'reminders',
    ).send(message);
    const input = ses.commandCalls(SendEmailCommand)[0]!.args[0].input;
    expect(input).toEqual({
      FromEmailAddress: 'scimgate <no-reply@example.com>',
      Destination: { ToAddresses: ['ops@example.com'] },
      Content: {
        Simple: {
          Subject: { Data: 'S', Charset: 'UTF-8' },
          Body: { Text: { Data: 'T', Charset: 'UTF-8' }, Html: { Data: '<p>H</p>', Charset: 'UTF-8' } },
        },
      },
      ConfigurationSetName: 'reminders',
      EmailTags: [
        { Name: 'app', Value: 'scimgate-reminders' },
        { Name: 'tenants', Value: 'acme.beta-co' },
      ],
    });
  });

  it('should reject when SES refuses, so that the job releases the claim', async () => {
    ses
      .on(SendEmailCommand)
      .rejects(Object.assign(new Error('Daily sending quota exceeded'), { name: 'LimitExceededException' }));
    await expect(
      new SesMailer(new SESv2Client({ region: 'eu-west-1' }), 'a@example.com').send(message),
    ).rejects.toThrow(/quota/);
  });
});

describe('recordBounce', () => {
  const event = (detail: unknown) => ({ 'detail-type': 'Email Bounced', source: 'aws.ses', detail });

  it('should mark permanently bounced recipients suppressed for every tenant of the message', async () => {
    const saved: SuppressedRecipient[] = [];
    const out = await recordBounce(
      { recordSuppressed: async (s) => void saved.push(s) },
      event({
        eventType: 'Bounce',
        mail: { tags: { tenants: ['acme.beta-co'] } },
        bounce: {
          bounceType: 'Permanent',
          bouncedRecipients: [{ emailAddress: 'Gone@Example.com', diagnosticCode: '550 no such user' }],
        },
      }),
      new Date('2026-01-01T00:00:00Z'),
    );
    expect(out).toEqual(saved);
    expect(saved).toEqual([
      {
        tenantId: 'acme',
        email: 'gone@example.com',
        reason: 'bounce',
        at: '2026-01-01T00:00:00.000Z',
        detail: '550 no such user',
      },
      {
        tenantId: 'beta-co',
        email: 'gone@example.com',
        reason: 'bounce',
        at: '2026-01-01T00:00:00.000Z',
        detail: '550 no such user',
      },
    ]);
  });

  it('should record complaints from an SNS notification and ignore transient bounces', async () => {
    const saved: SuppressedRecipient[] = [];
    const repo = { recordSuppressed: async (s: SuppressedRecipient) => void saved.push(s) };
    const sns = (m: unknown) => ({ Records: [{ Sns: { Message: JSON.stringify(m) } }] });
    await recordBounce(
      repo,
      sns({
        notificationType: 'Bounce',
        mail: { tags: { tenants: ['acme'] } },
        bounce: { bounceType: 'Transient', bouncedRecipients: [{ emailAddress: 'full@example.com' }] },
      }),
    );
    expect(saved).toEqual([]);
    await recordBounce(
      repo,
      sns({
        eventType: 'Complaint',
        mail: { tags: { tenants: ['acme'] } },
        complaint: { complainedRecipients: [{ emailAddress: 'angry@example.com' }] },
      }),
    );
    expect(saved).toEqual([
      expect.objectContaining({ tenantId: 'acme', email: 'angry@example.com', reason: 'complaint' }),
    ]);
  });
});
