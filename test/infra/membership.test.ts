/**
 * CDK assertion tests of the background membership worker in AWS (infra/membership.ts): the table's stream, the
 * stream consumer (filter, retries, bisecting, partial batch responses, dead-letter queue), the sweep schedule, the
 * alarm on the dead-letter queue, and least-privilege IAM. cdk-nag runs over the whole app in
 * jobs-mail-monitoring.test.ts and stacks.test.ts.
 */
import { App } from 'aws-cdk-lib';
import type { CfnResource, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { MEMBERSHIP_SWEEP } from '../../functions/entries';
import { buildApp, type ScimgateStacks } from '../../infra/build';
import { TABLE_ACTIONS } from '../../infra/function';
import { MEMBERSHIP_WORK_TIMEOUT, STREAM_RETRY_ATTEMPTS } from '../../infra/membership';
import { resolveStage } from '../../infra/stages';

type Json = Record<string, unknown>;

let stacks: ScimgateStacks;
let jobs: Template;
let data: Template;
let monitoring: Template;

beforeAll(() => {
  const app = new App({
    context: { '@aws-cdk/core:defaultCrossStackReferences': 'strong', 'aws:cdk:bundling-stacks': [] },
  });
  stacks = buildApp(app, resolveStage({ stage: 'dev' }), { account: '123456789012', region: 'eu-west-1' });
  jobs = Template.fromStack(stacks.jobs);
  data = Template.fromStack(stacks.data);
  monitoring = Template.fromStack(stacks.monitoring);
});

const logicalId = (stack: Stack, construct: { node: { defaultChild?: unknown } }): string =>
  stack.getLogicalId(construct.node.defaultChild as CfnResource);
const expectResourceProperties = (t: Template, type: string, props: unknown) =>
  t.hasResourceProperties(type, props);
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

function statementsOfRole(roleId: string): Json[] {
  const policies = jobs.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) },
  });
  return Object.values(policies).flatMap(
    (p) => ((p as Json).Properties as { PolicyDocument: { Statement: Json[] } }).PolicyDocument.Statement,
  );
}

describe('membership worker in AWS', () => {
  it('should give the table a stream with new and old images', () => {
    expectResourceProperties(data, 'AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
  });

  it('should consume the stream with a filter, retries, bisecting, partial batch responses and a DLQ', () => {
    const m = stacks.jobs.membership;
    expectResourceProperties(jobs, 'AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(stacks.jobs, m.streamFunction.fn) },
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: STREAM_RETRY_ATTEMPTS,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(stacks.jobs, m.deadLetterQueue), 'Arn'] } },
      },
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT'],
              dynamodb: { NewImage: { taskType: { S: ['delete', 'tombstones', 'rename', 'endpoint'] } } },
            }),
          },
        ],
      },
    });
    expectResourceProperties(jobs, 'AWS::Lambda::Function', {
      FunctionName: Match.absent(),
      Timeout: MEMBERSHIP_WORK_TIMEOUT.toSeconds(),
    });
  });

  it('should sweep due work every minute through the scheduler, with a retry and the jobs DLQ', () => {
    const m = stacks.jobs.membership;
    expectResourceProperties(jobs, 'AWS::Scheduler::Schedule', {
      ScheduleExpression: MEMBERSHIP_SWEEP.schedule,
      Target: {
        Arn: { 'Fn::GetAtt': [logicalId(stacks.jobs, m.sweepFunction.fn), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 300 },
        DeadLetterConfig: {
          Arn: { 'Fn::GetAtt': [logicalId(stacks.jobs, stacks.jobs.deadLetterQueue), 'Arn'] },
        },
      },
    });
    expect(MEMBERSHIP_SWEEP.schedule).toBe('rate(1 minute)');
  });

  it('should let the stream consumer use only the table, its indexes, its stream, its logs, X-Ray and its DLQ', () => {
    const m = stacks.jobs.membership;
    const statements = statementsOfRole(logicalId(stacks.jobs, m.streamFunction.role));
    const actions = statements.flatMap((s) => asList(s.Action).map(String));
    expect(actions.filter((a) => !/^(logs|dynamodb|sqs|xray):/.test(a))).toEqual([]);
    expect(actions.filter((a) => a.startsWith('dynamodb:')).sort()).toEqual(
      [
        ...TABLE_ACTIONS.read,
        ...TABLE_ACTIONS.write,
        'dynamodb:ListStreams',
        'dynamodb:DescribeStream',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
      ].sort(),
    );
    // The only statements on "*": the ones without resource-level permissions.
    const wildcard = statements.filter((s) => s.Resource === '*').flatMap((s) => asList(s.Action));
    expect(wildcard.sort()).toEqual([
      'dynamodb:ListStreams',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    const streamReads = statements.find((s) => asList(s.Action).includes('dynamodb:GetRecords'));
    expect(JSON.stringify(streamReads?.Resource)).toContain('StreamArn');
    const sqs = statements.filter((s) => asList(s.Action).some((a) => String(a).startsWith('sqs:')));
    expect(sqs.map((s) => s.Resource)).toEqual([
      { 'Fn::GetAtt': [logicalId(stacks.jobs, m.deadLetterQueue), 'Arn'] },
    ]);
  });

  it('should let the sweep use only the table and its indexes (plus its logs and X-Ray)', () => {
    const m = stacks.jobs.membership;
    const statements = statementsOfRole(logicalId(stacks.jobs, m.sweepFunction.role));
    const actions = statements.flatMap((s) => asList(s.Action).map(String));
    expect(actions.filter((a) => !/^(logs|dynamodb|sqs|xray):/.test(a))).toEqual([]);
    expect(actions.filter((a) => a.startsWith('dynamodb:')).sort()).toEqual(
      [...TABLE_ACTIONS.read, ...TABLE_ACTIONS.write].sort(),
    );
    expect(JSON.stringify(statements)).toContain('/index/byDue');
  });

  it('should encrypt the membership DLQ and alarm as soon as it holds a message', () => {
    const m = stacks.jobs.membership;
    const queues = jobs.findResources('AWS::SQS::Queue');
    expect(
      (queues[logicalId(stacks.jobs, m.deadLetterQueue)] as { Properties: Json }).Properties,
    ).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    expectResourceProperties(monitoring, 'AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp('membership work the stream consumer gave up on'),
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });
});
