/**
 * The dead-letter queue of a background path (jobs, membership work, change events): encrypted, TLS only, 14 days
 * of retention. Its depth alarm lives in the monitoring stack (infra/monitoring-stack.ts).
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** `of` names what fails into it, for cdk-nag's acknowledgement that a dead-letter queue has none of its own. */
export function deadLetterQueue(scope: Construct, of: string, note = ''): sqs.Queue {
  const queue = new sqs.Queue(scope, 'DeadLetters', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      `This queue is the dead-letter queue of ${of}; a DLQ of a DLQ would only hide the failures its depth ` +
      `alarm reports${note}.`,
  });
  return queue;
}
