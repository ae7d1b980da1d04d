/**
 * Scheduled jobs (functions/entries.ts JOB_ENTRIES): one function per job with table access and, when the stage
 * has a sender, ses:SendEmail from that sender only; one EventBridge Scheduler schedule per job from the stage
 * config. Failures land in one encrypted dead-letter queue:
 *
 * - the scheduler could not invoke the function (throttled, permissions): its retry policy, then its DLQ;
 * - the function threw (Scheduler invokes Lambda asynchronously): Lambda's async retries, then the on-failure
 *   destination, the same queue.
 *
 * Each event carries the scheduled time (`<aws.scheduler.scheduled-time>`), so a retry reruns the same slot and the
 * job's claims keep it from mailing twice (docs/jobs.md).
 */
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { EVENT_ENTRIES, JOB_ENTRIES } from '../functions/entries';
import { JOB_NAMES, type JobName } from '../shared/domain/jobs';
import { deadLetterQueue } from './dead-letter-queue';
import { ScimgateFunction } from './function';
import { mailEnvironment, mailSettings } from './mail';
import { MembershipWorkers } from './membership';
import type { StageConfig } from './stages';

/** A job run may take this long (the byDue pages of every shard, one mail at a time). */
export const JOB_TIMEOUT = Duration.minutes(5);
/** A scheduled event older than this is dropped to the DLQ instead of retried (the next run catches up). */
export const JOB_MAX_EVENT_AGE = Duration.hours(1);

export interface JobsStackProps extends StackProps {
  stage: StageConfig;
  /** Admin console URL for the mails' links (the API stack's console, or the stage's consoleUrl). */
  consoleUrl?: string;
  table: dynamodb.ITable;
  pepperSecret: secretsmanager.ISecret;
  /** The SES bounce/complaint topic (stages with a sender): its events become suppressed recipients. */
  feedbackTopic?: sns.ITopic;
}

export class JobsStack extends Stack {
  readonly functions: Record<JobName, ScimgateFunction>;
  /** Consumer of SES bounces and complaints (only with a feedback topic). */
  readonly feedbackFunction?: ScimgateFunction;
  readonly schedules: Record<JobName, scheduler.CfnSchedule>;
  readonly deadLetterQueue: sqs.Queue;
  readonly schedulerRole: iam.Role;
  /** Background membership work: the stream consumer and the sweep (docs/decisions/0014-*.md). */
  readonly membership: MembershipWorkers;

  constructor(scope: Construct, id: string, props: JobsStackProps) {
    super(scope, id, props);
    const { stage, table, pepperSecret } = props;
    const mail = mailSettings(this, stage);

    this.deadLetterQueue = deadLetterQueue(
      this,
      'the job schedules and of the job functions’ async invocations',
    );

    const functions = {} as Record<JobName, ScimgateFunction>;
    for (const job of JOB_NAMES) {
      const fn = new ScimgateFunction(this, `${job}Job`, {
        functionId: `${job} job`,
        entry: JOB_ENTRIES[job].entry,
        tableName: table.tableName,
        pepperSecretArn: pepperSecret.secretArn,
        logRetention: stage.logRetention,
        detailedTracing: stage.detailedTracing,
        timeout: JOB_TIMEOUT,
        ...(stage.publicBaseUrl ? { publicBaseUrl: stage.publicBaseUrl } : {}),
        environment: {
          ...mailEnvironment(mail),
          ...(props.consoleUrl ? { CONSOLE_URL: props.consoleUrl } : {}),
        },
      });
      fn.grantTable(table, 'readWrite'); // claims, suppression, marking expired and idle credentials
      fn.grantPepperRead(pepperSecret); // idle deactivation goes through the credential service
      if (mail) fn.grantSendMail(mail);
      fn.fn.configureAsyncInvoke({
        retryAttempts: stage.jobRetryAttempts,
        maxEventAge: JOB_MAX_EVENT_AGE,
        onFailure: new SqsDestination(this.deadLetterQueue),
      });
      functions[job] = fn;
    }
    this.functions = functions;

    if (props.feedbackTopic) {
      // Bounces and complaints → suppressed recipients per tenant (functions/ses-feedback.ts); failures retry
      // through SNS, then land in the jobs' dead-letter queue.
      const feedback = new ScimgateFunction(this, 'SesFeedback', {
        functionId: 'ses feedback',
        entry: EVENT_ENTRIES.sesFeedback,
        tableName: table.tableName,
        pepperSecretArn: pepperSecret.secretArn,
        logRetention: stage.logRetention,
        detailedTracing: stage.detailedTracing,
      });
      feedback.grantTable(table, 'readWrite');
      props.feedbackTopic.addSubscription(
        new LambdaSubscription(feedback.fn, { deadLetterQueue: this.deadLetterQueue }),
      );
      this.feedbackFunction = feedback;
    }

    // One role for both schedules: invoke exactly the job functions, and send to the DLQ (the scheduler writes
    // undeliverable events with its execution role).
    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      description: `scimgate ${stage.name}: EventBridge Scheduler invoking the job functions`,
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    });
    this.schedulerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: JOB_NAMES.map((job) => functions[job].fn.functionArn),
      }),
    );
    this.schedulerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
    );

    const schedules = {} as Record<JobName, scheduler.CfnSchedule>;
    for (const job of JOB_NAMES) {
      schedules[job] = new scheduler.CfnSchedule(this, `${job}Schedule`, {
        description: `scimgate ${stage.name}: ${job} job`,
        scheduleExpression: stage.schedules[job],
        scheduleExpressionTimezone: 'UTC',
        flexibleTimeWindow: { mode: 'OFF' },
        state: 'ENABLED',
        target: {
          arn: functions[job].fn.functionArn,
          roleArn: this.schedulerRole.roleArn,
          input: JSON.stringify({ time: '<aws.scheduler.scheduled-time>' }),
          retryPolicy: {
            maximumRetryAttempts: stage.jobRetryAttempts,
            maximumEventAgeInSeconds: JOB_MAX_EVENT_AGE.toSeconds(),
          },
          deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
        },
      });
    }
    this.schedules = schedules;

    this.membership = new MembershipWorkers(this, 'Membership', {
      stage,
      table,
      pepperSecret,
      schedulerRole: this.schedulerRole,
      scheduleDeadLetters: this.deadLetterQueue,
    });

    new CfnOutput(this, 'JobsDeadLetterQueueUrl', {
      value: this.deadLetterQueue.queueUrl,
      description: 'Failed job invocations (alarm: depth > 0)',
    });
  }
}
