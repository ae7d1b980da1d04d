/**
 * CDK assertion tests: synthesises the dev stage once (bundling the three functions with esbuild) and checks
 * the table against the shared design, every route of the route table, IAM actions and resources per function,
 * environment, runtime, and that cdk-nag (AwsSolutions) reports no unacknowledged errors.
 */
import { randomInt } from 'node:crypto';
import { App, Stack as AwsStack } from 'aws-cdk-lib';
import type { CfnResource, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  LOCAL_ONLY_MANAGEMENT_ROUTES,
  MANAGEMENT_ROUTES,
  ROUTES,
  SCIM_PREFIX,
  functionIds,
  type FunctionId,
} from '../../shared/http/routes';
import {
  INDEXES,
  KEY,
  TTL_ATTRIBUTE,
  tableAttributeNames,
} from '../../shared/adapters/dynamodb/table-design';
import { parsePepperJson } from '../../shared/credentials/pepper';
import { apiRoutes } from '../../infra/api-routes';
import { IAM_AUTHORISED, TABLE_ACCESS } from '../../infra/api-stack';
import { buildApp, type ScimgateStacks } from '../../infra/build';
import { TABLE_ACTIONS } from '../../infra/function';
import { INITIAL_KEY_LENGTH } from '../../infra/pepper-secret';
import { STAGES, resolveStage } from '../../infra/stages';
import { CONSOLE_CSP } from '../../shared/http/console-headers';

type Json = Record<string, unknown>;

let app: App;
let stacks: ScimgateStacks;
let data: Template;
let api: Template;

beforeAll(() => {
  // No bundling here: test/infra/bundles.test.ts bundles every entry with the construct's esbuild options.
  app = new App({
    context: { '@aws-cdk/core:defaultCrossStackReferences': 'strong', 'aws:cdk:bundling-stacks': [] },
  });
  stacks = buildApp(app, resolveStage({ stage: 'dev' }));
  data = Template.fromStack(stacks.data);
  api = Template.fromStack(stacks.api);
});

const logicalId = (stack: Stack, construct: { node: { defaultChild?: unknown } }): string =>
  stack.getLogicalId(construct.node.defaultChild as CfnResource);

/** The CloudFormation value another stack sees for an export of the data stack, e.g. Ref of the table. */
const importOf = (exportFragment: string) => ({
  'Fn::ImportValue': expect.stringContaining(exportFragment) as unknown,
});

function only<T>(values: Record<string, T>): [string, T] {
  const entries = Object.entries(values);
  expect(entries).toHaveLength(1);
  return entries[0] as [string, T];
}

function policyStatementsOf(fn: FunctionId): Json[] {
  const roleId = logicalId(stacks.api, stacks.api.functions[fn].role);
  const policies = api.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) },
  });
  return Object.values(policies).flatMap(
    (p) => ((p as Json).Properties as { PolicyDocument: { Statement: Json[] } }).PolicyDocument.Statement,
  );
}

// Template's own assertions, named so that the linter sees them as assertions.
const expectResourceProperties = (t: Template, type: string, props: unknown) =>
  t.hasResourceProperties(type, props);
const expectResource = (t: Template, type: string, props: unknown) => t.hasResource(type, props);
const expectOutput = (t: Template, id: string, props: unknown) => t.hasOutput(id, props);

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

describe('data stack: table', () => {
  it('should use the key schema and attribute types of the table design', () => {
    expectResourceProperties(data, 'AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: KEY.partition, KeyType: 'HASH' },
        { AttributeName: KEY.sort, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayEquals(
        tableAttributeNames().map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      ),
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  it('should create every index of the design with projection ALL', () => {
    expectResourceProperties(data, 'AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: Object.values(INDEXES).map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    });
  });

  it('should enable TTL, point-in-time recovery, deletion protection and AWS-managed encryption', () => {
    expectResourceProperties(data, 'AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('should retain the table on stack deletion and replacement', () => {
    expectResource(data, 'AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('should not give the table a fixed physical name', () => {
    expectResourceProperties(data, 'AWS::DynamoDB::Table', { TableName: Match.absent() });
  });
});

describe('data stack: pepper secret', () => {
  const pepperId = () => logicalId(stacks.data, stacks.data.pepperSecret);

  it('should generate 44 characters of key material without punctuation', () => {
    expectResourceProperties(data, 'AWS::SecretsManager::Secret', {
      GenerateSecretString: {
        PasswordLength: INITIAL_KEY_LENGTH,
        ExcludePunctuation: true,
        IncludeSpace: false,
      },
    });
  });

  it('should retain every secret (the pepper, its initial key, the SET signing seed)', () => {
    const secrets = data.findResources('AWS::SecretsManager::Secret');
    expect(Object.keys(secrets)).toHaveLength(3);
    for (const secret of Object.values(secrets)) {
      expect(secret).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    }
  });

  it('should hold a document the pepper loader accepts once CloudFormation resolves the key', () => {
    const pepper = data.findResources('AWS::SecretsManager::Secret')[pepperId()] as {
      Properties: { SecretString: { 'Fn::Join': [string, [string, Json, string]] } };
    };
    const [, [before, ref, after]] = pepper.Properties.SecretString['Fn::Join'];
    expect(before.endsWith('{{resolve:secretsmanager:')).toBe(true);
    expect(after.startsWith(':SecretString:::}}')).toBe(true);
    expect(Object.keys(data.findResources('AWS::SecretsManager::Secret'))).toContain(ref.Ref);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    for (let i = 0; i < 20; i += 1) {
      // What GenerateSecretString with ExcludePunctuation produces: letters and digits only.
      const key = Array.from({ length: INITIAL_KEY_LENGTH }, () => alphabet[randomInt(alphabet.length)]).join(
        '',
      );
      const document =
        before.replace(/\{\{resolve:secretsmanager:$/, '') + key + after.replace(/^:SecretString:::\}\}/, '');

      const parsed = parsePepperJson(document, 'test');

      expect(parsed.current.version).toBe(1);
      expect(parsed.current.key.length).toBeGreaterThanOrEqual(32);
      expect(parsed.previous).toEqual([]);
    }
  });
});

describe('api stack: routes', () => {
  const integrationFunction = (): Map<string, string> => {
    const map = new Map<string, string>();
    for (const [id, integration] of Object.entries(api.findResources('AWS::ApiGatewayV2::Integration'))) {
      const uri = (integration as { Properties: { IntegrationUri: { 'Fn::GetAtt': [string, string] } } })
        .Properties.IntegrationUri;
      map.set(id, uri['Fn::GetAtt'][0]);
    }
    return map;
  };

  const routes = (): Map<string, string> => {
    const fnOfIntegration = integrationFunction();
    const map = new Map<string, string>();
    for (const route of Object.values(api.findResources('AWS::ApiGatewayV2::Route'))) {
      const props = (
        route as { Properties: { RouteKey: string; Target: { 'Fn::Join': [string, [string, Json]] } } }
      ).Properties;
      const [prefix, ref] = props.Target['Fn::Join'][1];
      expect(prefix).toBe('integrations/');
      map.set(props.RouteKey, fnOfIntegration.get(ref.Ref as string) ?? 'missing');
    }
    return map;
  };

  it('should route every route-table entry to the function the table names, and no local-only entry', () => {
    const actual = routes();
    const localOnly = ROUTES.filter((route) => route.localOnly);
    expect(localOnly.map((route) => `${route.method} ${route.path}`)).toEqual([
      'POST /admin/v1/jobs/{job}/run',
    ]);
    for (const route of localOnly) expect(actual.has(`${route.method} ${route.path}`)).toBe(false);
    for (const route of ROUTES.filter((r) => !r.localOnly)) {
      expect({
        key: `${route.method} ${route.path}`,
        fn: actual.get(`${route.method} ${route.path}`),
      }).toEqual({
        key: `${route.method} ${route.path}`,
        fn: logicalId(stacks.api, stacks.api.functions[route.fn].fn),
      });
    }
  });

  it('should add a lower-case alias for each Users and Groups route, to the same function', () => {
    const actual = routes();
    const resourceRoutes = ROUTES.filter((r) =>
      /\/(Users|Groups)(\/|$)/.test(r.path.slice(SCIM_PREFIX.length)),
    );
    expect(resourceRoutes.length).toBeGreaterThan(0);
    for (const route of resourceRoutes) {
      const suffix = route.path
        .slice(SCIM_PREFIX.length)
        .replace(/^\/(Users|Groups)/, (s) => s.toLowerCase());
      expect(actual.get(`${route.method} ${SCIM_PREFIX}${suffix}`)).toBe(
        logicalId(stacks.api, stacks.api.functions[route.fn].fn),
      );
    }
  });

  it('should create no route that is not in the route table or one of its aliases', () => {
    const expected = apiRoutes().map((r) => `${r.method} ${r.path}`);
    expect([...routes().keys()].sort()).toEqual([...expected].sort());
  });

  it('should create one function per function of the route table', () => {
    // Besides them: CDK's own BucketDeployment function, which uploads the console's files at deploy time.
    const fnIds = Object.keys(api.findResources('AWS::Lambda::Function'))
      .filter((id) => !id.startsWith('CustomCDKBucketDeployment'))
      .sort();
    expect(fnIds).toEqual(
      functionIds()
        .map((fn) => logicalId(stacks.api, stacks.api.functions[fn].fn))
        .sort(),
    );
  });

  it('should serve the $default stage with access logs and the stage throttling', () => {
    expectResourceProperties(api, 'AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: STAGES.dev.throttle.rateLimit,
        ThrottlingBurstLimit: STAGES.dev.throttle.burstLimit,
      },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AccessLogs'), 'Arn'] },
        Format: Match.stringLikeRegexp('\\$context\\.requestId'),
      },
    });
  });

  it('should authorise every management route with IAM and no SCIM or OAuth route at the gateway', () => {
    const auth = new Map<string, unknown>();
    for (const route of Object.values(api.findResources('AWS::ApiGatewayV2::Route'))) {
      const props = (route as { Properties: { RouteKey: string; AuthorizationType?: string } }).Properties;
      auth.set(props.RouteKey, props.AuthorizationType);
    }
    const management = apiRoutes().filter((r) => r.fn === 'management');
    const others = apiRoutes().filter((r) => r.fn !== 'management');
    expect(management.length).toBe(MANAGEMENT_ROUTES.length - LOCAL_ONLY_MANAGEMENT_ROUTES.size);
    // The simulated-clock job route is the local server's only.
    expect([...auth.keys()].filter((k) => k.includes('/jobs/'))).toEqual([]);
    expect(others.some((r) => r.fn === 'oauthToken')).toBe(true);
    for (const r of management) {
      expect({ route: `${r.method} ${r.path}`, auth: auth.get(`${r.method} ${r.path}`) }).toEqual({
        route: `${r.method} ${r.path}`,
        auth: 'AWS_IAM',
      });
    }
    for (const r of others) {
      expect({ route: `${r.method} ${r.path}`, auth: auth.get(`${r.method} ${r.path}`) ?? 'NONE' }).toEqual({
        route: `${r.method} ${r.path}`,
        auth: 'NONE',
      });
    }
    expect([...IAM_AUTHORISED]).toEqual(['management']);
  });

  it('should output the management API URL under /admin/v1', () => {
    const [, output] = only(api.findOutputs('ManagementApiUrl'));
    expect(JSON.stringify(output)).toMatch(/\/admin\/v1"/);
  });

  it('should output the API URL and the SCIM base URL pattern', () => {
    expectOutput(api, 'ApiUrl', {});
    const [, output] = only(api.findOutputs('ScimBaseUrl'));
    expect(JSON.stringify(output)).toContain('scim/v2/{tenant}/{endpoint}');
  });
});

describe('api stack: functions', () => {
  it.each(functionIds())('should run %s on nodejs24.x, arm64, 512 MB, 29 s, bundled ESM', (fn) => {
    expectResourceProperties(api, 'AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 512,
      Timeout: 29,
      Handler: 'index.handler',
      Role: { 'Fn::GetAtt': [logicalId(stacks.api, stacks.api.functions[fn].role), 'Arn'] },
      LoggingConfig: { LogGroup: { Ref: logicalId(stacks.api, stacks.api.functions[fn].logGroup) } },
    });
  });

  it.each(functionIds())('should give %s the table name, the pepper secret and source maps', (fn) => {
    const [, resource] = only(
      api.findResources('AWS::Lambda::Function', {
        Properties: { Role: { 'Fn::GetAtt': [logicalId(stacks.api, stacks.api.functions[fn].role), 'Arn'] } },
      }),
    );
    const variables = (resource as { Properties: { Environment: { Variables: Json } } }).Properties
      .Environment.Variables;
    const consoleUrl = { CONSOLE_URL: { 'Fn::Join': ['', ['https://', expect.anything(), '/console/']] } };
    const tableId = logicalId(stacks.data, stacks.data.table);
    const pepperId = logicalId(stacks.data, stacks.data.pepperSecret);
    const setSeedExport = expect.stringMatching(
      new RegExp(`ExportsOutputRef${logicalId(stacks.data, stacks.data.setKeySecret)}`),
    ) as unknown;
    expect(variables).toEqual({
      TABLE_NAME: { 'Fn::ImportValue': expect.stringMatching(new RegExp(`ExportsOutputRef${tableId}`)) },
      PEPPER_SECRET_ID: {
        'Fn::ImportValue': expect.stringMatching(new RegExp(`ExportsOutputRef${pepperId}`)),
      },
      NODE_OPTIONS: '--enable-source-maps',
      // Setup links and bookmarks point at the console (the distribution's /console/ on the dev stage).
      ...(fn === 'management' || fn === 'console' ? consoleUrl : {}),
      // Only the management function creates tenants: it carries the stage's policy for new tenants.
      ...(fn === 'management'
        ? {
            TENANT_DEFAULT_LIFETIME_DAYS: String(STAGES.dev.tenantDefaults.defaultLifetimeDays),
            TENANT_MAX_LIFETIME_DAYS: String(STAGES.dev.tenantDefaults.maxLifetimeDays),
            TENANT_IDLE_DAYS: String(STAGES.dev.tenantDefaults.idleDays),
            // … and publishes the SET verification keys.
            SET_KEY_SECRET_ID: { 'Fn::ImportValue': setSeedExport },
          }
        : {}),
    });
  });

  it.each(functionIds())('should keep the logs of %s for the stage retention (dev: 14 days)', (fn) => {
    const groups = api.findResources('AWS::Logs::LogGroup');
    const group = groups[logicalId(stacks.api, stacks.api.functions[fn].logGroup)] as { Properties: Json };
    expect(group.Properties.RetentionInDays).toBe(STAGES.dev.logRetention);
  });
});

describe('api stack: IAM', () => {
  const tableArnExport = () => `ExportsOutputFnGetAtt${logicalId(stacks.data, stacks.data.table)}Arn`;
  const pepperExport = () => `ExportsOutputRef${logicalId(stacks.data, stacks.data.pepperSecret)}`;

  it.each(functionIds())(
    'should let %s use only the DynamoDB actions it needs, on the table and its indexes',
    (fn) => {
      const dynamo = policyStatementsOf(fn).filter((s) =>
        asList(s.Action).some((a) => String(a).startsWith('dynamodb:')),
      );
      const expectedActions =
        TABLE_ACCESS[fn] === 'readWrite'
          ? [...TABLE_ACTIONS.read, ...TABLE_ACTIONS.write]
          : [...TABLE_ACTIONS.read];

      expect(dynamo.flatMap((s) => asList(s.Action)).sort()).toEqual([...expectedActions].sort());
      for (const statement of dynamo) {
        expect(statement.Effect).toBe('Allow');
        expect(asList(statement.Resource)).toEqual([
          importOf(tableArnExport()),
          ...Object.values(INDEXES).map((index) => ({
            'Fn::Join': ['', [importOf(tableArnExport()), `/index/${index.name}`]],
          })),
        ]);
      }
    },
  );

  it('should let every function write, since authentication records last use, failures and audit events', () => {
    expect(TABLE_ACCESS).toEqual({
      scimUsers: 'readWrite',
      scimGroups: 'readWrite',
      scimRoot: 'readWrite',
      oauthToken: 'readWrite',
      management: 'readWrite',
      console: 'readWrite',
    });
    const writes = (fn: FunctionId) =>
      policyStatementsOf(fn)
        .flatMap((s) => asList(s.Action))
        .filter((a) => TABLE_ACTIONS.write.includes(a as never));
    for (const fn of functionIds()) expect(writes(fn)).toHaveLength(TABLE_ACTIONS.write.length);
  });

  it.each(functionIds())(
    'should let %s read only the pepper secret (management: and the SET seed), with GetSecretValue only',
    (fn) => {
      const secrets = policyStatementsOf(fn).filter((s) =>
        asList(s.Action).some((a) => String(a).startsWith('secretsmanager:')),
      );
      const pepper = {
        Action: 'secretsmanager:GetSecretValue',
        Effect: 'Allow',
        Resource: importOf(pepperExport()),
      };
      const setSeed = {
        Action: 'secretsmanager:GetSecretValue',
        Effect: 'Allow',
        Resource: importOf(`ExportsOutputRef${logicalId(stacks.data, stacks.data.setKeySecret)}`),
      };
      // The management function publishes the SET verification keys (GET /admin/v1/events/jwks.json).
      expect(secrets).toEqual(fn === 'management' ? [setSeed, pepper] : [pepper]);
    },
  );

  it.each(functionIds())('should let %s write logs only to its own log group', (fn) => {
    const logStatements = policyStatementsOf(fn).filter((s) =>
      asList(s.Action).some((a) => String(a).startsWith('logs:')),
    );
    expect(logStatements).toEqual([
      {
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [logicalId(stacks.api, stacks.api.functions[fn].logGroup), 'Arn'] },
      },
    ]);
  });

  it.each(functionIds())('should grant %s nothing beyond logs, the table, the pepper and X-Ray', (fn) => {
    const statements = policyStatementsOf(fn);
    const actions = statements.flatMap((s) => asList(s.Action).map(String));
    expect(actions.filter((a) => !/^(logs|dynamodb|secretsmanager|xray):/.test(a))).toEqual([]);
    // X-Ray's two actions support no resource-level permission: the one statement allowed on "*".
    const xray = statements.filter((s) => asList(s.Action).some((a) => String(a).startsWith('xray:')));
    expect(xray).toEqual([
      { Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Effect: 'Allow', Resource: '*' },
    ]);
    expect(JSON.stringify(statements.filter((s) => !xray.includes(s)))).not.toContain('*');
  });

  it('should output the token endpoint pattern next to the SCIM base URL', () => {
    const outputs = api.findOutputs('TokenEndpoint');
    expect(JSON.stringify(Object.values(outputs)[0])).toContain('oauth/{tenant}/token');
  });

  it.each(functionIds())('should run %s with active tracing', (fn) => {
    expect(() =>
      api.hasResourceProperties('AWS::Lambda::Function', {
        TracingConfig: { Mode: 'Active' },
        Role: { 'Fn::GetAtt': [logicalId(stacks.api, stacks.api.functions[fn].role), 'Arn'] },
      }),
    ).not.toThrow();
  });

  it('should attach no managed policies to the function roles', () => {
    const roles = Object.entries(api.findResources('AWS::IAM::Role')).filter(
      ([id]) => !id.startsWith('CustomCDKBucketDeployment'), // CDK's deploy-time uploader (acknowledged)
    );
    expect(roles.length).toBeGreaterThanOrEqual(functionIds().length);
    for (const [, role] of roles) {
      expect((role as { Properties: Json }).Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('api stack: admin console on S3 and CloudFront', () => {
  const distribution = () =>
    (
      only(api.findResources('AWS::CloudFront::Distribution'))[1] as {
        Properties: { DistributionConfig: Json };
      }
    ).Properties.DistributionConfig as {
      Origins: { Id: string; DomainName: unknown; OriginAccessControlId?: unknown; S3OriginConfig?: Json }[];
      DefaultCacheBehavior: Json;
      CacheBehaviors: Json[];
    };
  const assetsBucketId = () => logicalId(stacks.api, stacks.api.console.bucket);

  it('should keep the assets bucket private: all public access blocked, TLS only, owner-enforced', () => {
    const bucket = api.findResources('AWS::S3::Bucket')[assetsBucketId()] as { Properties: Json };

    expect(bucket.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    expect(bucket.Properties.WebsiteConfiguration).toBeUndefined();
  });

  it('should let only this distribution read the bucket, through origin access control', () => {
    const [, policy] = only(
      api.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: assetsBucketId() } } }),
    );
    const statements = (policy as { Properties: { PolicyDocument: { Statement: Json[] } } }).Properties
      .PolicyDocument.Statement;
    const reads = statements.filter((st) => st.Effect === 'Allow');
    const [, oac] = only(api.findResources('AWS::CloudFront::OriginAccessControl'));
    const s3Origin = distribution().Origins.find((o) => o.S3OriginConfig !== undefined);

    expect(reads).toEqual([
      expect.objectContaining({
        Action: 's3:GetObject',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Condition: { StringEquals: { 'AWS:SourceArn': expect.anything() } },
      }),
    ]);
    expect(statements.filter((st) => st.Effect === 'Deny').length).toBeGreaterThan(0); // TLS only
    expect((oac as { Properties: Json }).Properties).toMatchObject({
      OriginAccessControlConfig: {
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      },
    });
    expect(s3Origin?.OriginAccessControlId).toBeDefined();
    expect(s3Origin?.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    expect(api.findResources('AWS::CloudFront::CloudFrontOriginAccessIdentity')).toEqual({});
  });

  it('should send the strict CSP and the security headers of the local server on every answer', () => {
    const [id, policy] = only(api.findResources('AWS::CloudFront::ResponseHeadersPolicy'));
    const config = (policy as { Properties: { ResponseHeadersPolicyConfig: Json } }).Properties
      .ResponseHeadersPolicyConfig as { SecurityHeadersConfig: Json; CustomHeadersConfig: { Items: Json[] } };

    expect(config.SecurityHeadersConfig).toMatchObject({
      ContentSecurityPolicy: { ContentSecurityPolicy: CONSOLE_CSP, Override: true },
      FrameOptions: { FrameOption: 'DENY' },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer' },
      ContentTypeOptions: { Override: true },
      StrictTransportSecurity: { AccessControlMaxAgeSec: 63_072_000, IncludeSubdomains: true },
    });
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(config.CustomHeadersConfig.Items.map((i) => i.Header)).toEqual([
      'permissions-policy',
      'cross-origin-opener-policy',
    ]);
    expect(distribution().DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual({ Ref: id });
    expect(distribution().CacheBehaviors[0]?.ResponseHeadersPolicyId).toEqual({ Ref: id });
  });

  it('should serve the console API on the same origin: /console/api/* to the HTTP API, uncached, https only', () => {
    const [behaviour] = distribution().CacheBehaviors as {
      PathPattern: string;
      TargetOriginId: string;
      AllowedMethods: string[];
      CachePolicyId: string;
      OriginRequestPolicyId: string;
      ViewerProtocolPolicy: string;
    }[];
    const apiOrigin = distribution().Origins.find((o) => o.Id === behaviour?.TargetOriginId);

    expect(distribution().CacheBehaviors).toHaveLength(1);
    expect(behaviour).toMatchObject({
      PathPattern: '/console/api/*',
      AllowedMethods: expect.arrayContaining(['POST', 'PATCH', 'DELETE']),
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // Managed-CachingDisabled
      OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac', // AllViewerExceptHostHeader
      ViewerProtocolPolicy: 'https-only',
    });
    expect(JSON.stringify(apiOrigin?.DomainName)).toContain(logicalId(stacks.api, stacks.api.api));
    expect(distribution().DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
  });
});

describe('cdk-nag', () => {
  it('should report no unacknowledged AwsSolutions errors or warnings', () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);

    expect(
      report.violations.map(
        (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
      ),
    ).toEqual([]);
  });

  it('should report a finding when a rule is not acknowledged (the check is live)', () => {
    const probe = new App();
    const stack = new AwsStack(probe, 'Probe');
    // The pepper acknowledges SMG4; a secret without the acknowledgement must be reported.
    new secretsmanager.Secret(stack, 'Unacknowledged');

    const report = new AwsSolutionsChecks(probe).validateScope(probe);

    expect(report.violations.map((v) => v.ruleName)).toContain('AwsSolutions-SMG4');
  });

  it('should leave no error annotations on any stack', () => {
    for (const stack of [stacks.data, stacks.api, stacks.events]) {
      expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
    }
  });
});

describe('stages', () => {
  it('should default to dev and reject unknown stages', () => {
    expect(resolveStage({}).name).toBe('dev');
    expect(() => resolveStage({ stage: 'staging' })).toThrow(/unknown stage "staging"/);
  });

  it('should accept an alarm e-mail and a public base URL, and reject malformed ones', () => {
    expect(
      resolveStage({ stage: 'prod', alarmEmail: 'ops@example.com', senderAddress: 'scim@example.com' })
        .alarmEmail,
    ).toBe('ops@example.com');
    expect(() => resolveStage({ alarmEmail: 'nope' })).toThrow(/alarmEmail/);
    expect(resolveStage({ publicBaseUrl: 'https://scim.example.com' }).publicBaseUrl).toBe(
      'https://scim.example.com',
    );
    expect(() => resolveStage({ publicBaseUrl: 'http://scim.example.com/x' })).toThrow(/publicBaseUrl/);
  });

  it('should require a sender address for prod and validate the mail settings', () => {
    expect(() => resolveStage({ stage: 'prod' })).toThrow(/senderAddress/);
    expect(resolveStage({ stage: 'dev' }).senderAddress).toBeUndefined();
    const prod = resolveStage({
      stage: 'prod',
      senderAddress: 'No-Reply@Example.com',
      senderIdentity: 'external',
    });
    expect(prod).toMatchObject({ senderAddress: 'no-reply@example.com', senderIdentity: 'external' });
    expect(() => resolveStage({ senderAddress: 'example.com' })).toThrow(/senderAddress/);
    expect(() => resolveStage({ senderIdentity: 'dns' })).toThrow(/senderIdentity/);
    expect(() => resolveStage({ consoleUrl: 'ftp://x' })).toThrow(/consoleUrl/);
  });
});

describe('custom domain', () => {
  const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789';

  it('should map the API to the domain with the certificate and use it for generated URLs', () => {
    const stage = resolveStage({ stage: 'dev', customDomain: 'scim.example.com', certificateArn: CERT });
    expect(stage.publicBaseUrl).toBe('https://scim.example.com');
    const built = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), stage, {
      account: '123456789012',
      region: 'eu-west-1',
    });
    const t = Template.fromStack(built.api);
    t.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'scim.example.com',
      DomainNameConfigurations: [Match.objectLike({ CertificateArn: CERT })],
    });
    t.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
    expect(Object.keys(t.findOutputs('CustomDomainTarget'))).toHaveLength(1);
    expect(JSON.stringify(t.findOutputs('ScimBaseUrl'))).toContain(
      'https://scim.example.com/scim/v2/{tenant}/{endpoint}',
    );
  });

  it('should refuse a custom domain without a valid certificate ARN', () => {
    expect(() => resolveStage({ customDomain: 'scim.example.com' })).toThrow(/certificateArn/);
    expect(() => resolveStage({ customDomain: 'Not A Domain', certificateArn: CERT })).toThrow(
      /customDomain/,
    );
  });
});
