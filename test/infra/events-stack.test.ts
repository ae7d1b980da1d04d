/**
 * The change-event infrastructure (infra/events-stack.ts): the table's stream, the consumer's event source mapping
 * (bisect, retries, dead-letter queue), the exported bus, the alarms, least-privilege IAM with exact actions, the
 * optional per-tenant webhooks through API destinations, and cdk-nag staying clean with them.
 */
import { App } from 'aws-cdk-lib';
import type { CfnResource, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildApp, type ScimgateStacks } from '../../infra/build';
import { EVENT_LOG_KEYS, EVENT_STREAM_BATCH, EVENT_STREAM_RETRIES } from '../../infra/events-stack';
import { EVENTS_ITERATOR_AGE_MS } from '../../infra/monitoring-stack';
import { resolveStage } from '../../infra/stages';

type Json = Record<string, unknown>;
const WEBHOOK_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:acme-hook-AbCdEf';

let app: App;
let stacks: ScimgateStacks;
let events: Template;

const logicalId = (stack: Stack, construct: { node: { defaultChild?: unknown } }): string =>
  stack.getLogicalId(construct.node.defaultChild as CfnResource);
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);
// Template's own assertions, named so that the linter sees them as assertions.
const expectResourceProperties = (t: Template, type: string, props: unknown) =>
  t.hasResourceProperties(type, props);
const expectResource = (t: Template, type: string, props: unknown) => t.hasResource(type, props);
const expectResourceCount = (t: Template, type: string, n: number) => t.resourceCountIs(type, n);

beforeAll(() => {
  app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stage = resolveStage({
    stage: 'dev',
    eventWebhooks: JSON.stringify([
      {
        tenant: 'acme',
        url: 'https://hooks.example.com/scim-events',
        headerName: 'authorization',
        secretArn: WEBHOOK_SECRET,
        types: ['user.deactivated', 'user.deleted'],
      },
    ]),
  });
  stacks = buildApp(app, stage, { account: '123456789012', region: 'us-east-1' });
  events = Template.fromStack(stacks.events);
});

function consumerStatements(): Json[] {
  const roleId = logicalId(stacks.events, stacks.events.consumer.role);
  const policies = events.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) },
  });
  return Object.values(policies).flatMap(
    (p) => ((p as Json).Properties as { PolicyDocument: { Statement: Json[] } }).PolicyDocument.Statement,
  );
}

describe('events stack', () => {
  it('streams the table with old and new images', () => {
    expectResourceProperties(Template.fromStack(stacks.data), 'AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
  });

  it('maps the stream to the consumer with bisection, bounded retries and the dead-letter queue', () => {
    const dlqId = logicalId(stacks.events, stacks.events.deadLetterQueue);
    expectResourceProperties(events, 'AWS::Lambda::EventSourceMapping', {
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: EVENT_STREAM_BATCH,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: EVENT_STREAM_RETRIES,
      ParallelizationFactor: 1,
      EventSourceArn: Match.anyValue(),
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlqId, 'Arn'] } } },
    });
    expectResourceProperties(events, 'AWS::SQS::Queue', { SqsManagedSseEnabled: true });
  });

  it('creates the bus and exports its name and ARN; the consumer puts events on it', () => {
    expectResourceProperties(events, 'AWS::Events::EventBus', { Name: 'scimgate-dev' });
    const outputs = events.findOutputs('*');
    expect(outputs.EventBusName?.Export).toEqual({ Name: 'Scimgate-dev-EventBusName' });
    expect(outputs.EventBusArn?.Export).toEqual({ Name: 'Scimgate-dev-EventBusArn' });
    const env = Object.values(
      events.findResources('AWS::Lambda::Function', {
        Properties: {
          Handler: 'index.handler',
          Environment: { Variables: { EVENT_BUS_NAME: Match.anyValue() } },
        },
      }),
    );
    expect(env).toHaveLength(1);
    expect(JSON.stringify(env[0])).toContain('SET_KEY_SECRET_ID');
  });

  it('grants the consumer exactly the actions it uses, each on its own resource', () => {
    const statements = consumerStatements();
    const byAction = new Map<string, unknown[]>();
    for (const s of statements) {
      expect(s.Effect).toBe('Allow');
      for (const a of asList(s.Action)) byAction.set(String(a), asList(s.Resource));
    }
    expect([...byAction.keys()].sort()).toEqual(
      [
        'dynamodb:DescribeStream',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:GetItem',
        'dynamodb:ListStreams',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'events:PutEvents',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'secretsmanager:GetSecretValue',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
    // No reads of SCIM data, no deletes: everything the producer needs is in the stream images; the item actions
    // are held to the event log's keys.
    expect(byAction.has('dynamodb:Query') || byAction.has('dynamodb:DeleteItem')).toBe(false);
    const itemStatement = statements.find((s) => asList(s.Action).includes('dynamodb:GetItem'));
    expect(itemStatement?.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': EVENT_LOG_KEYS },
    });
    expect(JSON.stringify(byAction.get('dynamodb:PutItem'))).toContain('Arn');
    expect(JSON.stringify(byAction.get('dynamodb:GetRecords'))).toContain('StreamArn');
    expect(byAction.get('events:PutEvents')).toEqual([
      { 'Fn::GetAtt': [logicalId(stacks.events, stacks.events.bus), 'Arn'] },
    ]);
    expect(JSON.stringify(byAction.get('secretsmanager:GetSecretValue'))).toContain(
      logicalId(stacks.data, stacks.data.setKeySecret),
    );
    // Only the two services without resource-level permissions get "*".
    const star = [...byAction].filter(([, r]) => JSON.stringify(r) === '["*"]').map(([a]) => a);
    expect(star.sort()).toEqual([
      'dynamodb:ListStreams',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  it('alarms on the dead-letter queue and on the consumer falling behind', () => {
    const monitoring = Template.fromStack(stacks.monitoring);
    expectResourceProperties(monitoring, 'AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmDescription: Match.stringLikeRegexp('EventsDeadLetters'),
    });
    expectResourceProperties(monitoring, 'AWS::CloudWatch::Alarm', {
      MetricName: 'IteratorAge',
      Threshold: EVENTS_ITERATOR_AGE_MS,
    });
    expectResourceProperties(monitoring, 'AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      AlarmDescription: Match.stringLikeRegexp('eventStream function errors'),
    });
  });

  it('generates the SET signing seed as a retained secret', () => {
    expectResource(Template.fromStack(stacks.data), 'AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      Properties: {
        GenerateSecretString: Match.objectLike({ GenerateStringKey: 'seed', SecretStringTemplate: '{}' }),
      },
    });
  });

  it('delivers a tenant webhook through an API destination: connection, rule on the tenant, the event as body', () => {
    expectResourceProperties(events, 'AWS::Events::Connection', {
      AuthorizationType: 'API_KEY',
      AuthParameters: {
        ApiKeyAuthParameters: {
          ApiKeyName: 'authorization',
          ApiKeyValue: Match.stringLikeRegexp(`resolve:secretsmanager:${WEBHOOK_SECRET}:SecretString:apiKey`),
        },
      },
    });
    expectResourceProperties(events, 'AWS::Events::ApiDestination', {
      InvocationEndpoint: 'https://hooks.example.com/scim-events',
      HttpMethod: 'POST',
    });
    expectResourceProperties(events, 'AWS::Events::Rule', {
      EventBusName: { Ref: logicalId(stacks.events, stacks.events.bus) },
      EventPattern: {
        source: ['scimgate'],
        detail: { tenant: ['acme'], type: ['user.deactivated', 'user.deleted'] },
      },
      Targets: [
        Match.objectLike({
          InputPath: '$.detail',
          DeadLetterConfig: {
            Arn: { 'Fn::GetAtt': [logicalId(stacks.events, stacks.events.deadLetterQueue), 'Arn'] },
          },
        }),
      ],
    });
  });

  it('has no webhook resources when the stage configures none', () => {
    const plain = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), resolveStage({}));
    const t = Template.fromStack(plain.events);
    expectResourceCount(t, 'AWS::Events::Connection', 0);
    expectResourceCount(t, 'AWS::Events::Rule', 0);
  });

  it('refuses malformed webhook configuration', () => {
    const hook = {
      tenant: 'acme',
      url: 'https://h.example.com',
      headerName: 'x-api-key',
      secretArn: WEBHOOK_SECRET,
    };
    expect(() => resolveStage({ eventWebhooks: 'nope' })).toThrow(/JSON list/);
    expect(() => resolveStage({ eventWebhooks: JSON.stringify([{ ...hook, url: 'http://h' }]) })).toThrow(
      /url/,
    );
    expect(() => resolveStage({ eventWebhooks: JSON.stringify([{ ...hook, secretArn: 'x' }]) })).toThrow(
      /secretArn/,
    );
    expect(() => resolveStage({ eventWebhooks: JSON.stringify([hook, hook]) })).toThrow(/already/);
    expect(() =>
      resolveStage({ eventWebhooks: JSON.stringify([{ ...hook, types: ['user.exploded'] }]) }),
    ).toThrow(/types/);
  });

  it('stays clean under cdk-nag with the stream consumer, the bus and a webhook', () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(
      report.violations.map(
        (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
      ),
    ).toEqual([]);
  });
});
