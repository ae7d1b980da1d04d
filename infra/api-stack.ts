/**
 * The SCIM HTTP API: one Lambda per function of the route table, one API Gateway route per table entry (plus
 * lower-case aliases), access logs and default-stage throttling. Management routes (/admin/v1) are authorised by
 * API Gateway with IAM (SigV4, `execute-api:Invoke`); SCIM and OAuth routes are not authorised at the gateway:
 * their function verifies the tenant's credential. Wiring only: the table and the pepper come in as props from
 * the data stack.
 */
import { CfnOutput, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { MANAGEMENT_PREFIX, SCIM_PREFIX, functionIds, type FunctionId } from '../shared/http/routes';
import { FUNCTION_ENTRIES } from '../functions/entries';
import { apiRoutes } from './api-routes';
import { ConsoleSite } from './console-site';
import { ScimgateFunction, type TableAccess } from './function';
import type { StageConfig } from './stages';

/** Functions whose routes API Gateway authorises with IAM (the management API); all others authenticate inside. */
export const IAM_AUTHORISED: ReadonlySet<FunctionId> = new Set<FunctionId>(['management']);

/** What each function may do to the table (every function authenticates, and authentication writes). */
/** The stage's policy for new tenants as the environment `shared/config.ts` reads. */
export function tenantDefaultsEnvironment(stage: StageConfig): Record<string, string> {
  return {
    TENANT_DEFAULT_LIFETIME_DAYS: String(stage.tenantDefaults.defaultLifetimeDays),
    TENANT_MAX_LIFETIME_DAYS: String(stage.tenantDefaults.maxLifetimeDays),
    TENANT_IDLE_DAYS: String(stage.tenantDefaults.idleDays),
  };
}

export const TABLE_ACCESS: Record<FunctionId, TableAccess> = {
  scimUsers: 'readWrite',
  scimGroups: 'readWrite',
  scimRoot: 'readWrite', // authentication writes last use, failures and the audit log
  oauthToken: 'readWrite',
  management: 'readWrite',
  console: 'readWrite', // sessions, links, credentials, audit
};

export interface ApiStackProps extends StackProps {
  stage: StageConfig;
  table: dynamodb.ITable;
  pepperSecret: secretsmanager.ISecret;
  /** The SET signing seed: the management function publishes its public keys (GET /admin/v1/events/jwks.json). */
  setKeySecret?: secretsmanager.ISecret;
}

export class ApiStack extends Stack {
  readonly api: apigw.HttpApi;
  readonly functions: Record<FunctionId, ScimgateFunction>;
  /** The admin console (S3 + CloudFront, its API on the same origin). */
  readonly console: ConsoleSite;
  /** Where setup links and reminder mails point: the stage's consoleUrl, else the distribution's /console/. */
  readonly consoleUrl: string;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { stage, table, pepperSecret } = props;

    this.api = new apigw.HttpApi(this, 'HttpApi', {
      description: `scimgate SCIM 2.0 API (${stage.name})`,
      createDefaultStage: false,
    });
    // The distribution needs only the API's id; the functions read its domain (setup links, mail links).
    this.console = new ConsoleSite(this, 'Console', { api: this.api });
    this.consoleUrl = stage.consoleUrl ?? this.console.url;
    const linksConsole = new Set<FunctionId>(['management', 'console']);

    const functions = {} as Record<FunctionId, ScimgateFunction>;
    for (const functionId of functionIds()) {
      const fn = new ScimgateFunction(this, functionId, {
        functionId,
        entry: FUNCTION_ENTRIES[functionId],
        tableName: table.tableName,
        pepperSecretArn: pepperSecret.secretArn,
        logRetention: stage.logRetention,
        detailedTracing: stage.detailedTracing,
        ...(stage.publicBaseUrl ? { publicBaseUrl: stage.publicBaseUrl } : {}),
        environment: {
          ...(linksConsole.has(functionId) ? { CONSOLE_URL: this.consoleUrl } : {}),
          // New tenants get the stage's credential policy (only the management function creates tenants).
          ...(functionId === 'management' ? tenantDefaultsEnvironment(stage) : {}),
          ...(functionId === 'management' && props.setKeySecret
            ? { SET_KEY_SECRET_ID: props.setKeySecret.secretArn }
            : {}),
        },
      });
      if (functionId === 'management' && props.setKeySecret) fn.grantSecretRead(props.setKeySecret);
      fn.grantTable(table, TABLE_ACCESS[functionId]);
      fn.grantPepperRead(pepperSecret);
      functions[functionId] = fn;
    }
    this.functions = functions;

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: stage.logRetention });
    const defaultStage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: stage.throttle,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            path: '$context.path',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latency: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
            userAgent: '$context.identity.userAgent',
          }),
        ),
      },
    });

    // One integration per function; one invoke permission per function for the whole API (not per route).
    const integrations = {} as Record<FunctionId, HttpLambdaIntegration>;
    for (const functionId of functionIds()) {
      integrations[functionId] = new HttpLambdaIntegration(
        `${functionId}Integration`,
        functions[functionId].fn,
        {
          scopePermissionToRoute: false,
        },
      );
    }
    const iamAuthorizer = new HttpIamAuthorizer();
    for (const route of apiRoutes()) {
      const iam = IAM_AUTHORISED.has(route.fn);
      const created = this.api.addRoutes({
        path: route.path,
        methods: [route.method as apigw.HttpMethod],
        integration: integrations[route.fn],
        ...(iam ? { authorizer: iamAuthorizer } : {}),
      });
      if (iam) continue;
      for (const r of created) {
        Validations.of(r).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            route.fn === 'console'
              ? 'The console API authenticates a session cookie (stored as an HMAC, idle and absolute expiry) and a ' +
                'CSRF header on every write inside the function; the tenant comes from the session. An API Gateway ' +
                'authorizer would repeat that lookup.'
              : 'SCIM and OAuth clients send a per-tenant bearer token (or client secret) that the function verifies ' +
                'against the stored HMAC of the secret (tenant and endpoint from the verified credential); an API ' +
                'Gateway authorizer would add a second lookup and latency without narrowing access further.',
        });
      }
    }

    if (stage.customDomain) {
      const domain = new apigw.DomainName(this, 'CustomDomain', {
        domainName: stage.customDomain.domainName,
        certificate: acm.Certificate.fromCertificateArn(
          this,
          'Certificate',
          stage.customDomain.certificateArn,
        ),
      });
      new apigw.ApiMapping(this, 'CustomDomainMapping', {
        api: this.api,
        domainName: domain,
        stage: defaultStage,
      });
      new CfnOutput(this, 'CustomDomainTarget', {
        value: domain.regionalDomainName,
        description: `DNS target of ${stage.customDomain.domainName} (CNAME, or an alias to this regional name)`,
      });
    }

    const url = defaultStage.url; // https://<id>.execute-api.<region>.amazonaws.com/
    new CfnOutput(this, 'ApiUrl', { value: url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'ConsoleUrl', {
      value: this.console.url,
      description:
        'Admin console (CloudFront); sign in with: npx scimgate setup-links create --url … -t <tenant>',
    });
    new CfnOutput(this, 'ScimBaseUrl', {
      value: (stage.publicBaseUrl ? `${stage.publicBaseUrl}/` : url) + SCIM_PREFIX.slice(1),
      description: 'SCIM base URL pattern: replace {tenant} and {endpoint} to get the Tenant URL for an IdP',
    });
    new CfnOutput(this, 'TokenEndpoint', {
      value: `${stage.publicBaseUrl ? `${stage.publicBaseUrl}/` : url}oauth/{tenant}/token`,
      description: 'OAuth 2.0 token endpoint pattern (client credentials): replace {tenant}',
    });
    // Always the execute-api URL: SigV4 signs for the execute-api host (a custom domain works too, if mapped).
    new CfnOutput(this, 'ManagementApiUrl', {
      value: url + MANAGEMENT_PREFIX.slice(1),
      description: 'Management API base URL (IAM-authorised): npx scimgate --url <this> …',
    });
  }
}
