import { recordBounce, SesMailer, sesSendEmail } from '../../shared/adapters/aws/ses-mailer';
import type { SuppressedRecipient } from '../../shared/domain/credential-model';
import { startAwsStub, STUB_CREDENTIALS, type AwsStub } from '../support/aws-stub';
import { parseAuthorization } from './cli/sigv4-reference';

const message = {
  to: 'ops@example.com',
  subject: 'S',
  html: '<p>H</p>',
  text: 'T',
  tenantIds: ['acme', 'beta-co'],
};

let ses: AwsStub;
beforeAll(async () => {
  ses = await startAwsStub('application/json');
});
afterAll(() => ses.close());
beforeEach(() => ses.reset());

const sendEmail = () =>
  sesSendEmail({ region: 'eu-west-1', credentials: async () => STUB_CREDENTIALS, endpoint: ses.endpoint });

describe('SesMailer', () => {
  it('should send one signed SES v2 SendEmail with HTML, text, the configuration set and the tenants tag', async () => {
    ses.replies = [{ status: 200, body: { MessageId: 'm-1' } }];

    await new SesMailer(sendEmail(), 'scimgate <no-reply@example.com>', 'reminders').send(message);

    expect(ses.received).toHaveLength(1);
    const [request] = ses.received;
    expect(request!.url).toBe('/v2/email/outbound-emails');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.signatureValid).toBe(true);
    expect(parseAuthorization(String(request!.headers.authorization))).toMatchObject({
      region: 'eu-west-1',
      service: 'ses',
    });
    expect(JSON.parse(request!.body)).toEqual({
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

  it('should reject when SES refuses, by the error type SES names, so that the job releases the claim', async () => {
    ses.replies = [
      {
        status: 400,
        errorType: 'MessageRejected:http://internal.amazon.com/coral/com.amazonaws.sesv2/',
        body: { message: 'Email address is not verified.' },
      },
    ];

    const refused = new SesMailer(sendEmail(), 'a@example.com').send(message);

    await expect(refused).rejects.toMatchObject({
      name: 'MessageRejected',
      $metadata: { httpStatusCode: 400 },
      message: expect.stringMatching(/not verified/),
    });
    expect(ses.received).toHaveLength(1); // a refusal is not retried
  });

  it('should retry a throttled send and succeed once SES accepts', async () => {
    ses.replies = [
      { status: 429, errorType: 'TooManyRequestsException', body: { message: 'Rate exceeded' } },
      { status: 200, body: { MessageId: 'm-2' } },
    ];

    await new SesMailer(sendEmail(), 'a@example.com').send(message);

    expect(ses.received).toHaveLength(2);
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
