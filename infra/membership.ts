/**
 * The background membership worker in AWS (docs/decisions/0014-membership-index-and-staged-changes.md):
 *
 * - a stream consumer: the table's stream, filtered to inserted pending records that ask for work (deleted
 *   resources, tombstones, renames, deleted endpoints), with retries, bisecting on error, partial batch responses
 *   and an encrypted SQS dead-letter queue for records it gave up on;
 * - a sweep every minute (EventBridge Scheduler): every pending record that is due (second passes, staged changes
 *   whose lease ran out, and whatever the stream consumer gave up on, since a failed record stays in the table).
 *
 * Both run the same worker code as the local server's loop, with item access to the table and its indexes only.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_ENTRIES, MEMBERSHIP_SWEEP } from '../functions/entries';
import { TASK_TYPES } from '../shared/adapters/dynamodb/membership-items';
import { deadLetterQueue } from './dead-letter-queue';
import { ScimgateFunction } from './function';
import type { StageConfig } from './stages';

/** One batch of work (a large group's memberships, an endpoint's purge) may take this long. */
export const MEMBERSHIP_WORK_TIMEOUT = Duration.minutes(5);
/** Retries of a failed stream batch (bisected) before its records go to the dead-letter queue. */
export const STREAM_RETRY_ATTEMPTS = 5;

export interface MembershipWorkerProps {
  stage: StageConfig;
  table: dynamodb.ITable;
  pepperSecret: secretsmanager.ISecret;
  /** Scheduler role of the stack: invokes the sweep and writes undeliverable events to `scheduleDeadLetters`. */
  schedulerRole: iam.Role;
  scheduleDeadLetters: sqs.IQueue;
}

export class MembershipWorkers extends Construct {
  readonly streamFunction: ScimgateFunction;
  readonly sweepFunction: ScimgateFunction;
  readonly deadLetterQueue: sqs.Queue;
  readonly schedule: scheduler.CfnSchedule;

  constructor(scope: Construct, id: string, props: MembershipWorkerProps) {
    super(scope, id);
    const { stage, table, pepperSecret } = props;
    const common = {
      tableName: table.tableName,
      pepperSecretArn: pepperSecret.secretArn,
      logRetention: stage.logRetention,
      timeout: MEMBERSHIP_WORK_TIMEOUT,
    };

    this.deadLetterQueue = deadLetterQueue(
      this,
      'the membership stream consumer',
      ' (and the records stay in the table for the sweep)',
    );

    this.streamFunction = new ScimgateFunction(this, 'Stream', {
      functionId: 'membership stream',
      entry: EVENT_ENTRIES.membershipStream,
      ...common,
    });
    this.streamFunction.grantTable(table, 'readWrite');
    this.streamFunction.fn.addEventSource(
      new DynamoEventSource(table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 10,
        bisectBatchOnError: true,
        retryAttempts: STREAM_RETRY_ATTEMPTS,
        maxRecordAge: Duration.hours(6),
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.deadLetterQueue),
        filters: [
          lambda.FilterCriteria.filter({
            eventName: lambda.FilterRule.isEqual('INSERT'),
            dynamodb: {
              NewImage: {
                taskType: { S: lambda.FilterRule.or(...TASK_TYPES.filter((t) => t !== 'change')) },
              },
            },
          }),
        ],
      }),
    );

    const streamPolicy = this.streamFunction.role.node.tryFindChild('DefaultPolicy');
    if (streamPolicy) {
      Validations.of(streamPolicy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Two actions support no resource-level permissions (Resource "*"): xray:PutTraceSegments/' +
          'PutTelemetryRecords (active tracing) and dynamodb:ListStreams (the stream event source); the stream ' +
          'reads (DescribeStream, GetRecords, GetShardIterator) name the table\u2019s stream and every other ' +
          'statement names its resources.',
      });
    }

    this.sweepFunction = new ScimgateFunction(this, 'Sweep', {
      functionId: 'membership sweep',
      entry: MEMBERSHIP_SWEEP.entry,
      ...common,
    });
    this.sweepFunction.grantTable(table, 'readWrite');
    this.sweepFunction.fn.configureAsyncInvoke({
      retryAttempts: 1,
      maxEventAge: Duration.minutes(5),
      onFailure: new SqsDestination(props.scheduleDeadLetters),
    });
    props.schedulerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [this.sweepFunction.fn.functionArn],
      }),
    );
    this.schedule = new scheduler.CfnSchedule(this, 'SweepSchedule', {
      description: `scimgate ${stage.name}: membership sweep`,
      scheduleExpression: MEMBERSHIP_SWEEP.schedule,
      scheduleExpressionTimezone: 'UTC',
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: this.sweepFunction.fn.functionArn,
        roleArn: props.schedulerRole.roleArn,
        input: JSON.stringify({ time: '<aws.scheduler.scheduled-time>' }),
        // The next run a minute later does the same work: no retries needed beyond one.
        retryPolicy: { maximumRetryAttempts: 1, maximumEventAgeInSeconds: 300 },
        deadLetterConfig: { arn: props.scheduleDeadLetters.queueArn },
      },
    });
  }
}
