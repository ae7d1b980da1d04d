/**
 * The one construct that holds Lambda defaults (runtime, architecture, memory, timeout, bundling, logging,
 * environment) and the typed grants a function may receive. Stacks only pass names and ARNs in.
 */
import * as path from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { BuildOptions as EsbuildOptions } from 'esbuild';
import type { MailSettings } from './mail';
import { indexArns } from './table';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..');

/** The runtime every function uses. */
export const RUNTIME = lambda.Runtime.NODEJS_24_X;

/** DynamoDB actions by access level. Transactions need the per-item actions; no Scan, no table admin. */
export const TABLE_ACTIONS = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
  write: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'],
} as const;

export type TableAccess = 'read' | 'readWrite';

/** Imported by the SDK's default credential chain only when no credentials are in the environment. */
export const UNREACHED_CREDENTIAL_PROVIDERS = [
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/credential-provider-login',
  '@smithy/credential-provider-imds',
] as const;

/**
 * Bundle-time constants: `SCIMGATE_TRACER` turns the Powertools Tracer (X-Ray subsegments per DynamoDB call) on
 * for a stage; when off, esbuild drops the tracer and the X-Ray SDK from every bundle
 * (functions/runtime/observability.ts).
 */
export function bundleDefines(detailedTracing: boolean): Record<string, string> {
  return { 'process.env.SCIMGATE_TRACER': JSON.stringify(detailedTracing ? 'on' : 'off') };
}

/**
 * esbuild options of every function (test/infra/bundles.test.ts bundles each entry with exactly these to check its
 * size budget, so the test and the deployed bundles cannot drift apart).
 */
export const BUNDLING = {
  format: OutputFormat.ESM,
  target: 'node24',
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  // CommonJS dependencies bundled into ESM still call require(); give them one.
  banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  // Bundle the AWS SDK too: the versions in package-lock.json are the ones tested. Left out: the credential
  // providers the default chain only imports (dynamically) when the environment has no credentials, which never
  // happens in Lambda (fromEnv answers first); were one ever reached, the runtime's own AWS SDK provides it
  // (docs/decisions/0003-middy-per-function-composition.md).
  externalModules: [...UNREACHED_CREDENTIAL_PROVIDERS],
  forceDockerBundling: false,
} as const satisfies BundlingOptions;

/**
 * The same bundling as plain esbuild options (the construct's esbuild call, reproduced for the bundle-size test
 * and the cold-start benchmark, which bundle the entries themselves).
 */
export function esbuildOptionsFor(
  entryPoint: string,
  outfile: string,
  detailedTracing = false,
): EsbuildOptions {
  return {
    entryPoints: [entryPoint],
    outfile,
    absWorkingDir: REPO_ROOT,
    bundle: true,
    platform: 'node',
    format: BUNDLING.format,
    target: BUNDLING.target,
    minify: BUNDLING.minify,
    sourcemap: BUNDLING.sourceMap,
    sourcesContent: BUNDLING.sourcesContent,
    mainFields: [...BUNDLING.mainFields],
    banner: { js: BUNDLING.banner },
    external: [...BUNDLING.externalModules],
    define: bundleDefines(detailedTracing),
    logLevel: 'silent',
  };
}

export interface ScimgateFunctionProps {
  /** Name in descriptions: a function of the route table (FunctionId) or a job. */
  functionId: string;
  /** Entry file under functions/ (FUNCTION_ENTRIES, JOB_ENTRIES). */
  entry: string;
  tableName: string;
  pepperSecretArn: string;
  logRetention: logs.RetentionDays;
  publicBaseUrl?: string;
  /** Default 29 s (the HTTP API's integration limit); jobs run longer. */
  timeout?: Duration;
  /** Further environment variables (mail settings, console URL). */
  environment?: Record<string, string>;
  /** Powertools Tracer in the bundle: an X-Ray subsegment per DynamoDB call (the stage's `detailedTracing`). */
  detailedTracing?: boolean;
}

export class ScimgateFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ScimgateFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention });
    // Own role with an inline grant to this log group only, instead of the AWSLambdaBasicExecutionRole managed
    // policy (which allows writing to every log group in the account).
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `scimgate ${props.functionId} function`,
    });
    this.logGroup.grantWrite(this.role);

    const environment: Record<string, string> = {
      TABLE_NAME: props.tableName,
      PEPPER_SECRET_ID: props.pepperSecretArn,
      NODE_OPTIONS: '--enable-source-maps',
    };
    if (props.publicBaseUrl) environment.PUBLIC_BASE_URL = props.publicBaseUrl;
    Object.assign(environment, props.environment);

    this.fn = new NodejsFunction(this, 'Function', {
      entry: path.join(REPO_ROOT, 'functions', props.entry),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      runtime: RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: props.timeout ?? Duration.seconds(29),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      // X-Ray: Lambda records every invocation; with detailedTracing the Powertools Tracer adds the DynamoDB calls.
      tracing: lambda.Tracing.ACTIVE,
      environment,
      bundling: {
        ...BUNDLING,
        mainFields: [...BUNDLING.mainFields],
        externalModules: [...BUNDLING.externalModules],
        define: bundleDefines(props.detailedTracing ?? false),
      },
    });
    const policy = this.role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      Validations.of(policy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Active tracing grants xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level ' +
          'permissions (Resource "*"); every other statement of this role names its resources.',
      });
    }
  }

  /** Item access to the table and each of its indexes (read: Get/BatchGet/Query; readWrite adds writes). */
  grantTable(table: dynamodb.ITable, access: TableAccess): void {
    const actions: string[] = [...TABLE_ACTIONS.read, ...(access === 'readWrite' ? TABLE_ACTIONS.write : [])];
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions, resources: [table.tableArn, ...indexArns(table)] }),
    );
  }

  grantTableReadWrite(table: dynamodb.ITable): void {
    this.grantTable(table, 'readWrite');
  }

  /**
   * GetSecretValue on this one secret only (`secret.grantRead` would add DescribeSecret, which the loader never
   * calls). The secret uses the AWS-managed key, so no KMS grant is needed.
   */
  grantPepperRead(secret: secretsmanager.ISecret): void {
    this.grantSecretRead(secret);
  }

  /** GetSecretValue on this one secret only (the pepper, the SET signing seed). */
  grantSecretRead(secret: secretsmanager.ISecret): void {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }),
    );
  }

  /**
   * ses:SendEmail (SES v2) from the configured sender only: on its identities and configuration set, with the
   * From address pinned by condition. Nothing else of SES.
   */
  grantSendMail(mail: MailSettings): void {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [...mail.identityArns, mail.configurationSetArn],
        conditions: { StringEquals: { 'ses:FromAddress': mail.from } },
      }),
    );
  }
}
