/**
 * Job mail through SES v2: the sender's identity (unless managed elsewhere), a configuration set whose event
 * destination publishes bounces and complaints to an encrypted SNS topic, and the settings (names, ARNs) the
 * sending functions receive. The configuration set has a fixed name derived from the stage, so the Api and Jobs
 * stacks compute the same names and ARNs from the stage config without cross-stack exports.
 */
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { StageConfig } from './stages';

/** What a function needs to send job mail. */
export interface MailSettings {
  /** SES_FROM. */
  from: string;
  /** The sender's domain (the identity SES authorises a domain-verified sender with). */
  domain: string;
  /** SES_CONFIGURATION_SET. */
  configurationSetName: string;
  /** Identities ses:SendEmail may use: the domain and the address (SES uses an address identity if one exists). */
  identityArns: string[];
  configurationSetArn: string;
}

/** The configuration set's name for a stage. */
export const configurationSetName = (stage: StageConfig): string => `scimgate-${stage.name}`;

/** Mail settings for functions in `scope`'s stack, or undefined when the stage has no sender. */
export function mailSettings(scope: Construct, stage: StageConfig): MailSettings | undefined {
  if (!stage.senderAddress) return undefined;
  const stack = Stack.of(scope);
  const domain = stage.senderAddress.split('@')[1] ?? '';
  const arn = (resource: string, resourceName: string) =>
    stack.formatArn({ service: 'ses', resource, resourceName });
  const name = configurationSetName(stage);
  return {
    from: stage.senderAddress,
    domain,
    configurationSetName: name,
    identityArns: [arn('identity', domain), arn('identity', stage.senderAddress)],
    configurationSetArn: arn('configuration-set', name),
  };
}

/** The environment variables of a function that sends job mail. */
export function mailEnvironment(mail: MailSettings | undefined): Record<string, string> {
  return mail ? { SES_FROM: mail.from, SES_CONFIGURATION_SET: mail.configurationSetName } : {};
}

export interface MailStackProps extends StackProps {
  stage: StageConfig;
}

/** Deployed only for stages with a sender address; keep it deployed (recreating a domain identity changes DKIM). */
export class MailStack extends Stack {
  readonly configurationSet: ses.ConfigurationSet;
  readonly feedbackTopic: sns.Topic;
  readonly identity?: ses.EmailIdentity;
  readonly settings: MailSettings;

  constructor(scope: Construct, id: string, props: MailStackProps) {
    super(scope, id, props);
    const { stage } = props;
    const settings = mailSettings(this, stage);
    if (!settings) throw new Error('MailStack needs a stage with a senderAddress');
    this.settings = settings;

    // SES can publish to an encrypted topic only with a customer-managed key whose policy lets SES use it.
    const key = new kms.Key(this, 'FeedbackKey', {
      description: `scimgate ${stage.name}: SES bounce and complaint topic`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(7),
    });
    key.grant(new iam.ServicePrincipal('ses.amazonaws.com'), 'kms:GenerateDataKey*', 'kms:Decrypt');
    this.feedbackTopic = new sns.Topic(this, 'Feedback', {
      displayName: `scimgate ${stage.name} SES bounces and complaints`,
      masterKey: key,
      enforceSSL: true,
    });

    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: settings.configurationSetName,
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: ses.EventDestination.snsTopic(this.feedbackTopic),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
    });

    if (stage.senderIdentity !== 'external') {
      this.identity = new ses.EmailIdentity(this, 'Identity', {
        identity:
          stage.senderIdentity === 'domain'
            ? ses.Identity.domain(settings.domain)
            : ses.Identity.email(settings.from),
        configurationSet: this.configurationSet,
      });
    }

    new CfnOutput(this, 'ConfigurationSetName', { value: settings.configurationSetName });
    new CfnOutput(this, 'FeedbackTopicArn', {
      value: this.feedbackTopic.topicArn,
      description: 'SNS topic receiving SES bounce and complaint events',
    });
    new CfnOutput(this, 'SenderIdentity', {
      value:
        stage.senderIdentity === 'address'
          ? settings.from
          : `${settings.domain}${stage.senderIdentity === 'external' ? ' (managed elsewhere)' : ''}`,
    });
  }
}
