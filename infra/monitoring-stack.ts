/**
 * Alarms to one encrypted SNS topic (an e-mail subscription when the stage has `alarmEmail`). Each alarm is
 * explained, with what to do, in docs/deploy.md ("Alarms runbook"); ALARMS below is the one list of them.
 */
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { ScimgateFunction } from './function';
import type { StageConfig } from './stages';

/** Evaluation period of every alarm. */
export const ALARM_PERIOD = Duration.minutes(5);
/** API 5xx alarm: percentage of requests answered 5xx in one period … */
export const API_5XX_PERCENT = 5;
/** … once the period has at least this many requests (one 5xx of two requests is not an incident). */
export const API_5XX_MIN_REQUESTS = 20;

export interface MonitoringStackProps extends StackProps {
  stage: StageConfig;
  api: apigw.IHttpApi;
  table: dynamodb.ITable;
  /** Every function by a readable name (API functions and jobs). */
  functions: Record<string, ScimgateFunction>;
  /** Job names among `functions` (their errors get their own alarm name). */
  jobFunctions: readonly string[];
  deadLetterQueue?: sqs.IQueue;
  /** Stream records the membership worker gave up on (docs/decisions/0014-*.md). */
  membershipDeadLetterQueue?: sqs.IQueue;
  /** The change-event consumer and its dead-letter queue (events stack). */
  events?: { deadLetterQueue: sqs.IQueue; consumer: ScimgateFunction };
}

/** Events iterator-age alarm: the stream consumer is this far behind (events reach applications late). */
export const EVENTS_ITERATOR_AGE_MS = 60_000;

export class MonitoringStack extends Stack {
  readonly topic: sns.Topic;
  readonly alarms: Record<string, cloudwatch.Alarm> = {};

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const { stage } = props;

    // CloudWatch can publish to an encrypted topic only with a customer-managed key whose policy allows it.
    const key = new kms.Key(this, 'AlarmKey', {
      description: `scimgate ${stage.name}: alarm topic`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(7),
    });
    key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:GenerateDataKey*', 'kms:Decrypt');
    this.topic = new sns.Topic(this, 'Alarms', {
      displayName: `scimgate ${stage.name} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    if (stage.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(stage.alarmEmail));
    const action = new actions.SnsAction(this.topic);

    const add = (name: string, alarm: cloudwatch.Alarm) => {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms[name] = alarm;
    };
    const common = {
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    } as const;

    // API 5xx rate (gateway and integration errors together), as a percentage of requests.
    const api5xxRate = new cloudwatch.MathExpression({
      label: 'API 5xx %',
      expression: `IF(requests >= ${API_5XX_MIN_REQUESTS}, 100 * errors / requests, 0)`,
      usingMetrics: {
        errors: props.api.metricServerError({ period: ALARM_PERIOD, statistic: 'Sum' }),
        requests: props.api.metricCount({ period: ALARM_PERIOD, statistic: 'Sum' }),
      },
      period: ALARM_PERIOD,
    });
    add(
      'Api5xxRate',
      api5xxRate.createAlarm(this, 'Api5xxRate', {
        ...common,
        alarmDescription: `scimgate ${stage.name}: over ${API_5XX_PERCENT}% of API requests answered 5xx (docs/deploy.md, Api5xxRate)`,
        threshold: API_5XX_PERCENT,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      }),
    );

    for (const [name, fn] of Object.entries(props.functions)) {
      const id = name.replace(/[^A-Za-z0-9]/g, '');
      const isJob = props.jobFunctions.includes(name);
      const errorsId = isJob ? `${id}JobErrors` : `${id}Errors`;
      add(
        errorsId,
        fn.fn.metricErrors({ period: ALARM_PERIOD, statistic: 'Sum' }).createAlarm(this, errorsId, {
          ...common,
          alarmDescription: isJob
            ? `scimgate ${stage.name}: the ${name} job failed (docs/deploy.md, JobErrors)`
            : `scimgate ${stage.name}: ${name} function errors (crash or timeout; docs/deploy.md, FunctionErrors)`,
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        }),
      );
      add(
        `${id}Throttles`,
        fn.fn
          .metricThrottles({ period: ALARM_PERIOD, statistic: 'Sum' })
          .createAlarm(this, `${id}Throttles`, {
            ...common,
            alarmDescription: `scimgate ${stage.name}: ${name} invocations throttled (docs/deploy.md, FunctionThrottles)`,
            threshold: 1,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          }),
      );
    }

    // On-demand tables throttle too (partition hot spots, sudden growth beyond twice the previous peak).
    const throttles = new cloudwatch.MathExpression({
      label: 'DynamoDB throttle events',
      expression: 'reads + writes',
      usingMetrics: {
        reads: props.table.metric('ReadThrottleEvents', { period: ALARM_PERIOD, statistic: 'Sum' }),
        writes: props.table.metric('WriteThrottleEvents', { period: ALARM_PERIOD, statistic: 'Sum' }),
      },
      period: ALARM_PERIOD,
    });
    add(
      'TableThrottles',
      throttles.createAlarm(this, 'TableThrottles', {
        ...common,
        alarmDescription: `scimgate ${stage.name}: DynamoDB throttled table requests (docs/deploy.md, TableThrottles)`,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      }),
    );

    if (props.deadLetterQueue) {
      add(
        'JobsDeadLetters',
        props.deadLetterQueue
          .metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD, statistic: 'Maximum' })
          .createAlarm(this, 'JobsDeadLetters', {
            ...common,
            alarmDescription: `scimgate ${stage.name}: job invocations in the dead-letter queue (docs/deploy.md, JobsDeadLetters)`,
            threshold: 0,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          }),
      );
    }

    if (props.membershipDeadLetterQueue) {
      add(
        'MembershipDeadLetters',
        props.membershipDeadLetterQueue
          .metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD, statistic: 'Maximum' })
          .createAlarm(this, 'MembershipDeadLetters', {
            ...common,
            alarmDescription: `scimgate ${stage.name}: membership work the stream consumer gave up on (docs/deploy.md, MembershipDeadLetters)`,
            threshold: 0,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          }),
      );
    }

    if (props.events) {
      add(
        'EventsDeadLetters',
        props.events.deadLetterQueue
          .metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD, statistic: 'Maximum' })
          .createAlarm(this, 'EventsDeadLetters', {
            ...common,
            alarmDescription: `scimgate ${stage.name}: change-event batches or webhook deliveries in the dead-letter queue (docs/deploy.md, EventsDeadLetters)`,
            threshold: 0,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          }),
      );
      add(
        'EventsIteratorAge',
        props.events.consumer.fn
          .metric('IteratorAge', { period: ALARM_PERIOD, statistic: 'Maximum' })
          .createAlarm(this, 'EventsIteratorAge', {
            ...common,
            alarmDescription: `scimgate ${stage.name}: change events are over ${EVENTS_ITERATOR_AGE_MS / 1000} s behind the table (docs/deploy.md, EventsIteratorAge)`,
            threshold: EVENTS_ITERATOR_AGE_MS,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          }),
      );
    }

    new CfnOutput(this, 'AlarmTopicArn', { value: this.topic.topicArn, description: 'Alarm notifications' });
  }
}
