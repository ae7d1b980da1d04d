/**
 * CDK assertion tests of the prod stage with a sender: the Mail stack (SES identity, configuration set, bounce and
 * complaint topic), the Jobs stack (functions, schedules, retry policy, DLQ, IAM), no mail grant for any API
 * function, and the Monitoring stack (alarm metrics, thresholds, topic wiring); cdk-nag over all of it. No bundling
 * here (test/infra/bundles.test.ts bundles the entries).
 */
import { App } from 'aws-cdk-lib';
import type { CfnResource, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { JOB_ENTRIES } from '../../functions/entries';
import { JOB_NAMES, type JobName } from '../../shared/domain/jobs';
import { functionIds } from '../../shared/http/routes';
import { buildApp, type ScimgateStacks } from '../../infra/build';
import { TABLE_ACTIONS } from '../../infra/function';
import { JOB_MAX_EVENT_AGE, JOB_TIMEOUT } from '../../infra/jobs-stack';
import { configurationSetName } from '../../infra/mail';
import { ALARM_PERIOD, API_5XX_MIN_REQUESTS, API_5XX_PERCENT } from '../../infra/monitoring-stack';
import { STAGES, resolveStage, type StageConfig } from '../../infra/stages';

type Json = Record<string, unknown>;
const SENDER = 'scimgate@mail.example.com';
const ALARM_EMAIL = 'ops@example.com';

const newApp = () =>
  new App({
    context: { '@aws-cdk/core:defaultCrossStackReferences': 'strong', 'aws:cdk:bundling-stacks': [] },
  });

let app: App;
let stage: StageConfig;
let stacks: ScimgateStacks;
let mail: Template;
let jobs: Template;
let api: Template;
let monitoring: Template;

beforeAll(() => {
  app = newApp();
  stage = resolveStage({ stage: 'prod', senderAddress: SENDER, alarmEmail: ALARM_EMAIL });
  stacks = buildApp(app, stage, { account: '123456789012', region: 'eu-west-1' });
  if (!stacks.mail) throw new Error('no mail stack');
  mail = Template.fromStack(stacks.mail);
  jobs = Template.fromStack(stacks.jobs);
  api = Template.fromStack(stacks.api);
  monitoring = Template.fromStack(stacks.monitoring);
});

const logicalId = (stack: Stack, construct: { node: { defaultChild?: unknown } }): string =>
  stack.getLogicalId(construct.node.defaultChild as CfnResource);
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);
const expectResourceProperties = (t: Template, type: string, props: unknown) =>
  t.hasResourceProperties(type, props);
const expectCount = (t: Template, type: string, n: number) => t.resourceCountIs(type, n);

function statementsOfRole(t: Template, roleId: string): Json[] {
  const policies = t.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) },
  });
  return Object.values(policies).flatMap(
    (p) => ((p as Json).Properties as { PolicyDocument: { Statement: Json[] } }).PolicyDocument.Statement,
  );
}

const jobRoleStatements = (job: JobName) =>
  statementsOfRole(jobs, logicalId(stacks.jobs, stacks.jobs.functions[job].role));

const sesArn = (resource: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ses:eu-west-1:123456789012:${resource}`]],
});
const SES_STATEMENT = {
  Effect: 'Allow',
  Action: 'ses:SendEmail',
  Resource: [
    sesArn('identity/mail.example.com'),
    sesArn(`identity/${SENDER}`),
    sesArn('configuration-set/scimgate-prod'),
  ],
  Condition: { StringEquals: { 'ses:FromAddress': SENDER } },
};

describe('mail stack', () => {
  it('should create a configuration set named after the stage, TLS required, suppressing bounces and complaints', () => {
    expectResourceProperties(mail, 'AWS::SES::ConfigurationSet', {
      Name: configurationSetName(stage),
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    });
  });

  it('should publish BOUNCE and COMPLAINT events to an encrypted, SSL-only topic', () => {
    const topicId = logicalId(stacks.mail!, stacks.mail!.feedbackTopic);
    expectResourceProperties(mail, 'AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: ['bounce', 'complaint'],
        SnsDestination: { TopicARN: { Ref: topicId } },
      },
    });
    expectResourceProperties(mail, 'AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FeedbackKey'), 'Arn'] },
    });
    expectResourceProperties(mail, 'AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Action: 'sns:Publish', Principal: { Service: 'ses.amazonaws.com' } }),
        ]),
      },
    });
    expectResourceProperties(mail, 'AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
            Principal: { Service: 'ses.amazonaws.com' },
          }),
        ]),
      },
    });
  });

  it('should create a domain identity for the sender domain, using the configuration set', () => {
    expectResourceProperties(mail, 'AWS::SES::EmailIdentity', {
      EmailIdentity: 'mail.example.com',
      ConfigurationSetAttributes: { ConfigurationSetName: { Ref: Match.anyValue() } },
    });
  });

  it('should create no identity when the stage says it is managed elsewhere, and no mail stack without a sender', () => {
    const external = buildApp(
      newApp(),
      resolveStage({ stage: 'prod', senderAddress: SENDER, senderIdentity: 'external' }),
    );
    expectCount(Template.fromStack(external.mail!), 'AWS::SES::EmailIdentity', 0);
    expectCount(Template.fromStack(external.mail!), 'AWS::SES::ConfigurationSet', 1);
    expect(buildApp(newApp(), resolveStage({ stage: 'dev' })).mail).toBeUndefined();
  });

  it('should deploy before the jobs that send through it (the API sends no mail)', () => {
    expect(stacks.jobs.dependencies).toContain(stacks.mail);
    expect(stacks.api.dependencies).not.toContain(stacks.mail);
  });
});

describe('jobs stack: functions', () => {
  it.each(JOB_NAMES)(
    'should run the %s job from its entry with a longer timeout and mail settings',
    (job) => {
      const fnId = logicalId(stacks.jobs, stacks.jobs.functions[job].fn);
      const fn = jobs.findResources('AWS::Lambda::Function')[fnId] as { Properties: Json };
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Timeout: JOB_TIMEOUT.toSeconds(),
        Environment: {
          Variables: expect.objectContaining({
            SES_FROM: SENDER,
            SES_CONFIGURATION_SET: configurationSetName(stage),
          }) as unknown,
        },
      });
      expect(JOB_ENTRIES[job].entry).toMatch(/^job-/);
    },
  );

  it.each(JOB_NAMES)(
    'should let the %s job use the table, the pepper, its logs, SES and the DLQ only',
    (job) => {
      const statements = jobRoleStatements(job);
      const actions = statements.flatMap((s) => asList(s.Action).map(String));
      expect(actions.filter((a) => !/^(logs|dynamodb|secretsmanager|ses|sqs|xray):/.test(a))).toEqual([]);
      expect(actions.filter((a) => a.startsWith('dynamodb:')).sort()).toEqual(
        [...TABLE_ACTIONS.read, ...TABLE_ACTIONS.write].sort(),
      );
      expect(statements.filter((s) => asList(s.Action).includes('ses:SendEmail'))).toEqual([SES_STATEMENT]);
      expect(JSON.stringify(statements)).toContain('/index/byDue');
      expect(
        JSON.stringify(
          statements.filter(
            (s) => !JSON.stringify(s).includes('sqs:') && !JSON.stringify(s).includes('xray:'),
          ),
        ),
      ).not.toContain('*');
    },
  );

  it.each(JOB_NAMES)('should send failed async invocations of the %s job to the DLQ after retries', (job) => {
    expectResourceProperties(jobs, 'AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(stacks.jobs, stacks.jobs.functions[job].fn) },
      MaximumRetryAttempts: STAGES.prod.jobRetryAttempts,
      MaximumEventAgeInSeconds: JOB_MAX_EVENT_AGE.toSeconds(),
      DestinationConfig: {
        OnFailure: {
          Destination: { 'Fn::GetAtt': [logicalId(stacks.jobs, stacks.jobs.deadLetterQueue), 'Arn'] },
        },
      },
    });
  });
});

describe('jobs stack: schedules', () => {
  const dlqArn = () => ({ 'Fn::GetAtt': [logicalId(stacks.jobs, stacks.jobs.deadLetterQueue), 'Arn'] });

  it.each(JOB_NAMES)(
    'should schedule the %s job with the stage expression, a retry policy and the DLQ',
    (job) => {
      expectResourceProperties(jobs, 'AWS::Scheduler::Schedule', {
        ScheduleExpression: STAGES.prod.schedules[job],
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        State: 'ENABLED',
        Target: {
          Arn: { 'Fn::GetAtt': [logicalId(stacks.jobs, stacks.jobs.functions[job].fn), 'Arn'] },
          RoleArn: { 'Fn::GetAtt': [logicalId(stacks.jobs, stacks.jobs.schedulerRole), 'Arn'] },
          Input: JSON.stringify({ time: '<aws.scheduler.scheduled-time>' }),
          RetryPolicy: {
            MaximumRetryAttempts: STAGES.prod.jobRetryAttempts,
            MaximumEventAgeInSeconds: JOB_MAX_EVENT_AGE.toSeconds(),
          },
          DeadLetterConfig: { Arn: dlqArn() },
        },
      });
    },
  );

  it('should use the jobs’ own cadences by default (reminders every 15 minutes, idle hourly)', () => {
    expect(STAGES.prod.schedules).toEqual({ reminders: 'rate(15 minutes)', idle: 'rate(1 hour)' });
    // + the membership sweep (test/infra/membership.test.ts)
    expectCount(jobs, 'AWS::Scheduler::Schedule', JOB_NAMES.length + 1);
  });

  it('should let the scheduler role only invoke the job functions and the membership sweep, and write to the DLQ', () => {
    const roleId = logicalId(stacks.jobs, stacks.jobs.schedulerRole);
    const role = jobs.findResources('AWS::IAM::Role')[roleId] as { Properties: Json };
    expect(role.Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
        },
      ],
    });
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(statementsOfRole(jobs, roleId)).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: JOB_NAMES.map((job) => ({
          'Fn::GetAtt': [logicalId(stacks.jobs, stacks.jobs.functions[job].fn), 'Arn'],
        })),
      },
      { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: dlqArn() },
      {
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: {
          'Fn::GetAtt': [logicalId(stacks.jobs, stacks.jobs.membership.sweepFunction.fn), 'Arn'],
        },
      },
    ]);
  });

  it('should encrypt the DLQ, keep messages 14 days and deny non-TLS access', () => {
    expectResourceProperties(jobs, 'AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    expectResourceProperties(jobs, 'AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('api stack with a sender', () => {
  it('should let no API function send mail, nor serve the simulated-clock job route', () => {
    const routeKeys = Object.values(api.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => ((r as Json).Properties as { RouteKey: string }).RouteKey,
    );
    expect(routeKeys.length).toBeGreaterThan(0);
    expect(routeKeys.filter((k) => k.includes('/jobs/'))).toEqual([]);
    for (const fn of functionIds()) {
      const statements = statementsOfRole(api, logicalId(stacks.api, stacks.api.functions[fn].role));
      const ses = statements.filter((s) => asList(s.Action).some((a) => String(a).startsWith('ses:')));
      const resource = api.findResources('AWS::Lambda::Function')[
        logicalId(stacks.api, stacks.api.functions[fn].fn)
      ] as { Properties: { Environment?: { Variables?: Json } } };
      const env = Object.keys(resource.Properties.Environment?.Variables ?? {});
      expect({ fn, ses, env: env.filter((k) => /^SES_|^LOCAL_JOBS_ROUTE$|^OUTBOX_DIR$/.test(k)) }).toEqual({
        fn,
        ses: [],
        env: [],
      });
    }
  });
});

describe('monitoring stack', () => {
  const topicRef = () => ({ Ref: logicalId(stacks.monitoring, stacks.monitoring.topic) });
  const alarm = (name: string) => {
    const a = stacks.monitoring.alarms[name];
    if (!a) throw new Error(`no alarm ${name}`);
    return (
      monitoring.findResources('AWS::CloudWatch::Alarm')[logicalId(stacks.monitoring, a)] as {
        Properties: Json;
      }
    ).Properties;
  };

  it('should send every alarm and its recovery to the encrypted alarm topic', () => {
    const alarms = Object.values(monitoring.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBe(Object.keys(stacks.monitoring.alarms).length);
    for (const a of alarms) {
      expect((a as { Properties: Json }).Properties).toMatchObject({
        AlarmActions: [topicRef()],
        OKActions: [topicRef()],
        TreatMissingData: 'notBreaching',
      });
    }
    expectResourceProperties(monitoring, 'AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlarmKey'), 'Arn'] },
    });
    expectResourceProperties(monitoring, 'AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' } }),
        ]),
      },
    });
  });

  it('should subscribe the stage alarm e-mail, and nobody without one', () => {
    expectResourceProperties(monitoring, 'AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: ALARM_EMAIL,
      TopicArn: topicRef(),
    });
    const dev = buildApp(newApp(), resolveStage({ stage: 'dev' }));
    expectCount(Template.fromStack(dev.monitoring), 'AWS::SNS::Subscription', 0);
  });

  it('should alarm on the API 5xx rate above 5 % once there are 20 requests in 5 minutes', () => {
    const props = alarm('Api5xxRate');
    expect(props).toMatchObject({
      Threshold: API_5XX_PERCENT,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
    });
    const metrics = props.Metrics as Json[];
    const expression = metrics.find((m) => m.Expression) as { Expression: string };
    expect(expression.Expression).toBe(`IF(requests >= ${API_5XX_MIN_REQUESTS}, 100 * errors / requests, 0)`);
    const byId = Object.fromEntries(
      metrics
        .filter((m) => m.MetricStat)
        .map((m) => [m.Id, (m.MetricStat as { Metric: { MetricName: string; Namespace: string } }).Metric]),
    );
    expect(byId).toMatchObject({
      errors: { MetricName: '5xx', Namespace: 'AWS/ApiGateway' },
      requests: { MetricName: 'Count', Namespace: 'AWS/ApiGateway' },
    });
  });

  it.each([...functionIds(), ...JOB_NAMES.map((j) => `${j}Job`)])(
    'should alarm on any error or throttle of %s in 5 minutes',
    (name) => {
      const isJob = name.endsWith('Job');
      for (const [id, metric] of [
        [isJob ? `${name}JobErrors` : `${name}Errors`, 'Errors'],
        [`${name}Throttles`, 'Throttles'],
      ] as const) {
        expect(alarm(id)).toMatchObject({
          Namespace: 'AWS/Lambda',
          MetricName: metric,
          Statistic: 'Sum',
          Period: ALARM_PERIOD.toSeconds(),
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        });
      }
    },
  );

  it('should alarm on DynamoDB read or write throttle events of the table', () => {
    const props = alarm('TableThrottles');
    expect(props).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    const names = (props.Metrics as Json[])
      .filter((m) => m.MetricStat)
      .map((m) => (m.MetricStat as { Metric: { MetricName: string; Namespace: string } }).Metric);
    expect(names).toEqual([
      expect.objectContaining({ Namespace: 'AWS/DynamoDB', MetricName: 'ReadThrottleEvents' }),
      expect.objectContaining({ Namespace: 'AWS/DynamoDB', MetricName: 'WriteThrottleEvents' }),
    ]);
  });

  it('should alarm as soon as the jobs DLQ holds a message', () => {
    expect(alarm('JobsDeadLetters')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Statistic: 'Maximum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });
});

describe('cdk-nag (prod with a sender)', () => {
  it('should report no unacknowledged AwsSolutions errors or warnings', () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);

    expect(
      report.violations.map(
        (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
      ),
    ).toEqual([]);
  });
});

describe('SES feedback consumer', () => {
  it('should subscribe one function to the bounce/complaint topic, with the jobs DLQ for failed deliveries', () => {
    const fn = stacks.jobs.feedbackFunction;
    expect(fn).toBeDefined();
    const fnId = logicalId(stacks.jobs, fn!.fn);
    expectResourceProperties(jobs, 'AWS::SNS::Subscription', {
      Protocol: 'lambda',
      Endpoint: { 'Fn::GetAtt': [fnId, 'Arn'] },
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue() },
    });
    expectResourceProperties(jobs, 'AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'sns.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] },
    });
  });

  it('should let the feedback function write the table but not send mail', () => {
    const fn = stacks.jobs.feedbackFunction!;
    const roleId = stacks.jobs.getLogicalId(fn.fn.role!.node.defaultChild as CfnResource);
    const actions = statementsOfRole(jobs, roleId).flatMap((s) => asList(s.Action));
    expect(actions).toEqual(expect.arrayContaining([...TABLE_ACTIONS.write]));
    expect(actions.filter((a) => String(a).startsWith('ses:'))).toEqual([]);
  });

  it('should alarm on the feedback function errors', () => {
    const alarms = monitoring.findResources('AWS::CloudWatch::Alarm');
    const names = Object.values(alarms).map((a) => JSON.stringify((a as Json).Properties));
    expect(names.some((p) => p.includes('sesFeedback') || p.includes('SesFeedback'))).toBe(true);
  });
});
