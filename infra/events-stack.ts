/**
 * Change events (docs/events.md): the table's stream → one consumer function → the tenants' event logs (events
 * API), the stack's custom EventBridge bus (exported; detail-type = event type) and, per tenant, optional webhooks
 * through EventBridge API destinations.
 *
 * Failures: the stream mapping retries a failed batch (bisecting it to isolate a bad record) up to
 * `EVENT_STREAM_RETRIES` times, then sends the batch's description to the dead-letter queue; webhook deliveries
 * that exhaust EventBridge's retries land in the same queue. The monitoring stack alarms on its depth.
 */
import { CfnOutput, Duration, SecretValue, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { EVENT_ENTRIES } from '../functions/entries';
import { EVENT_SOURCE } from '../shared/domain/events/model';
import { deadLetterQueue } from './dead-letter-queue';
import { ScimgateFunction } from './function';
import type { EventWebhook, StageConfig } from './stages';

/** Partition keys of the tenants' event logs (shared/adapters/dynamodb/table-design.ts: keys.events*). */
export const EVENT_LOG_KEYS = ['T#*#EVENTS', 'T#*#EVENTS#*'];

/** Retries of a failed stream batch before it goes to the dead-letter queue. */
export const EVENT_STREAM_RETRIES = 10;
/** Records per stream batch. */
export const EVENT_STREAM_BATCH = 100;
/** A stream record older than this is sent to the dead-letter queue instead of retried (the stream keeps 24 h). */
export const EVENT_STREAM_MAX_AGE = Duration.hours(6);

export interface EventsStackProps extends StackProps {
  stage: StageConfig;
  /** The table, with its NEW_AND_OLD_IMAGES stream. */
  table: dynamodb.ITable;
  pepperSecret: secretsmanager.ISecret;
  /** The SET signing seed (data stack). */
  setKeySecret: secretsmanager.ISecret;
}

export class EventsStack extends Stack {
  readonly bus: events.EventBus;
  readonly consumer: ScimgateFunction;
  readonly deadLetterQueue: sqs.Queue;
  readonly webhookRules: events.Rule[] = [];

  constructor(scope: Construct, id: string, props: EventsStackProps) {
    super(scope, id, props);
    const { stage, table } = props;
    if (!table.tableStreamArn) throw new Error('the table has no stream: change events need one');

    this.bus = new events.EventBus(this, 'Bus', { eventBusName: `scimgate-${stage.name}` });

    this.deadLetterQueue = deadLetterQueue(this, 'the change-event stream and of the webhook deliveries');

    this.consumer = new ScimgateFunction(this, 'EventStream', {
      functionId: 'event stream',
      entry: EVENT_ENTRIES.eventStream,
      tableName: table.tableName,
      pepperSecretArn: props.pepperSecret.secretArn, // configuration only: this function never reads the pepper
      logRetention: stage.logRetention,
      timeout: Duration.minutes(1),
      environment: {
        EVENT_BUS_NAME: this.bus.eventBusName,
        SET_KEY_SECRET_ID: props.setKeySecret.secretArn,
        ...(stage.publicBaseUrl ? { EVENTS_ISSUER: stage.publicBaseUrl } : {}),
      },
    });
    // Exactly what the event log needs: the sequence counter (UpdateItem, and GetItem when a timed-out claim is
    // retried) and the events with their marks (PutItem, in transactions), on the event log's keys only. No reads
    // of SCIM data: everything comes from the stream images.
    this.consumer.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:GetItem'],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': EVENT_LOG_KEYS } },
      }),
    );
    this.consumer.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [this.bus.eventBusArn] }),
    );
    this.consumer.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [props.setKeySecret.secretArn],
      }),
    );
    this.consumer.fn.addEventSource(
      new DynamoEventSource(table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: EVENT_STREAM_BATCH,
        maxBatchingWindow: Duration.seconds(0),
        bisectBatchOnError: true,
        retryAttempts: EVENT_STREAM_RETRIES,
        maxRecordAge: EVENT_STREAM_MAX_AGE,
        parallelizationFactor: 1, // one batch per shard at a time: per-item order
        onFailure: new SqsDlq(this.deadLetterQueue),
      }),
    );
    const policy = this.consumer.role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      Validations.of(policy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'The stream event source grants dynamodb:ListStreams, which supports no resource-level permissions, and ' +
          'active tracing grants xray:PutTraceSegments/PutTelemetryRecords (same); the stream actions, the table ' +
          'writes, events:PutEvents and the secret read name their resources.',
      });
    }

    for (const hook of stage.eventWebhooks ?? []) this.addWebhook(hook);

    new CfnOutput(this, 'EventBusName', {
      value: this.bus.eventBusName,
      description: 'Change events (source scimgate, detail-type = event type)',
      exportName: `Scimgate-${stage.name}-EventBusName`,
    });
    new CfnOutput(this, 'EventBusArn', {
      value: this.bus.eventBusArn,
      exportName: `Scimgate-${stage.name}-EventBusArn`,
    });
    new CfnOutput(this, 'EventsDeadLetterQueueUrl', {
      value: this.deadLetterQueue.queueUrl,
      description: 'Failed change-event batches and webhook deliveries (alarm: depth > 0)',
    });
  }

  /** One tenant's webhook: a connection (API key header from a secret the tenant set), a destination, a rule. */
  private addWebhook(hook: EventWebhook): void {
    const id = `Webhook${hook.tenant.replace(/[^A-Za-z0-9]/g, '')}`;
    const connection = new events.Connection(this, `${id}Connection`, {
      description: `scimgate: webhook of tenant ${hook.tenant}`,
      authorization: events.Authorization.apiKey(
        hook.headerName,
        SecretValue.secretsManager(hook.secretArn, { jsonField: hook.secretJsonField ?? 'apiKey' }),
      ),
    });
    const destination = new events.ApiDestination(this, `${id}Destination`, {
      connection,
      endpoint: hook.url,
      httpMethod: events.HttpMethod.POST,
      rateLimitPerSecond: hook.rateLimitPerSecond ?? 10,
    });
    const rule = new events.Rule(this, `${id}Rule`, {
      eventBus: this.bus,
      description: `scimgate: change events of tenant ${hook.tenant} to its webhook`,
      eventPattern: {
        source: [EVENT_SOURCE],
        detail: { tenant: [hook.tenant], ...(hook.types ? { type: hook.types } : {}) },
      },
    });
    rule.addTarget(
      new targets.ApiDestination(destination, {
        // The body is the event itself (with its SET in `set`), as the local webhook sends it.
        event: events.RuleTargetInput.fromEventPath('$.detail'),
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
        deadLetterQueue: this.deadLetterQueue,
      }),
    );
    this.webhookRules.push(rule);
  }
}
