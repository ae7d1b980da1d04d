/**
 * The admin console in AWS (docs/console.md): the Vite-built SPA (dist/console) in a private S3 bucket, served by
 * CloudFront through origin access control, with the console API on the same origin (a CloudFront behaviour for
 * /console/api/* to the HTTP API), so the session cookie stays first-party and SameSite=Strict holds. Every answer
 * carries the security headers of shared/http/console-headers.ts (strict CSP, HSTS, no framing) through a response
 * headers policy, the same headers the local server sends.
 */
import { Duration, RemovalPolicy, Stack, Token, Validations, type CfnResource } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CONSOLE_PATH, CONSOLE_SECURITY_HEADERS } from '../shared/http/console-headers';
import { CONSOLE_API_PREFIX } from '../shared/http/routes';

/** Where `npm run build:console` writes the SPA (npm ci, npm start and npm test build it first). */
export const CONSOLE_ASSETS = fileURLToPath(new URL('../dist/console', import.meta.url));

/** /console and /console/ (and any SPA path without a file) → the SPA's page; / → /console/. */
const REWRITE = `function handler(event) {
  var uri = event.request.uri;
  if (uri === '/' || uri === '${CONSOLE_PATH}') {
    return { statusCode: 301, statusDescription: 'Moved Permanently', headers: { location: { value: '${CONSOLE_PATH}/' } } };
  }
  if (uri.indexOf('${CONSOLE_PATH}/assets/') !== 0) event.request.uri = '${CONSOLE_PATH}/index.html';
  return event.request;
}`;

export interface ConsoleSiteProps {
  api: apigw.HttpApi;
}

export class ConsoleSite extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  /** https://<distribution>/console/ */
  readonly url: string;

  constructor(scope: Construct, id: string, props: ConsoleSiteProps) {
    super(scope, id);
    const logs = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront standard logs are delivered with ACLs.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket is the access-log destination of the console bucket and distribution itself.',
    });
    this.bucket = new s3.Bucket(this, 'Assets', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'bucket/',
      versioned: false,
      // Build output only (redeployed from dist/console on every deploy); kept on destroy like the logs.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'scimgate console: strict CSP and security headers (shared/http/console-headers.ts)',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: CONSOLE_SECURITY_HEADERS['content-security-policy']!,
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.seconds(63_072_000),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          {
            header: 'permissions-policy',
            value: CONSOLE_SECURITY_HEADERS['permissions-policy']!,
            override: true,
          },
          {
            header: 'cross-origin-opener-policy',
            value: CONSOLE_SECURITY_HEADERS['cross-origin-opener-policy']!,
            override: true,
          },
        ],
      },
    });

    const apiDomain = `${props.api.apiId}.execute-api.${Stack.of(this).region}.${Stack.of(this).urlSuffix}`;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'scimgate admin console (SPA from S3, /console/api/* to the HTTP API)',
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        functionAssociations: [
          {
            eventType: cloudfront.FunctionEventType.VIEWER_REQUEST,
            function: new cloudfront.Function(this, 'SpaRewrite', {
              code: cloudfront.FunctionCode.fromInline(REWRITE),
              runtime: cloudfront.FunctionRuntime.JS_2_0,
              comment: 'scimgate console: SPA paths to index.html',
            }),
          },
        ],
      },
      additionalBehaviors: {
        [`${CONSOLE_API_PREFIX}/*`]: {
          origin: new origins.HttpOrigin(apiDomain, {
            protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
          }),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          // Never cached; cookies, headers and query go to the API (but Host, which API Gateway needs as its own).
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: headers,
        },
      },
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason:
          "Customers' IT admins sign in from anywhere; access is by single-use setup link and session, not geography.",
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'No WAF web ACL by default: the SPA is static and the console API authenticates every request (session ' +
          'cookie, CSRF token) and is throttled at the API stage; a stage can attach a web ACL (docs/deploy.md).',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The default *.cloudfront.net certificate is used when no custom domain is configured; the viewer policy ' +
          'is TLSv1.2_2021 as soon as a custom certificate is attached.',
      },
    );

    if (!existsSync(`${CONSOLE_ASSETS}/index.html`)) {
      throw new Error(`the admin console is not built (${CONSOLE_ASSETS}): run npm run build:console first`);
    }
    new s3deploy.BucketDeployment(this, 'Deploy', {
      sources: [s3deploy.Source.asset(CONSOLE_ASSETS)],
      destinationBucket: this.bucket,
      destinationKeyPrefix: `${CONSOLE_PATH.slice(1)}/`,
      distribution: this.distribution,
      distributionPaths: [`${CONSOLE_PATH}/index.html`],
      memoryLimit: 256,
    });

    // CDK's BucketDeployment runs a provider function of its own (one per stack, outside this construct).
    const stack = Stack.of(this);
    // The CDK asset bucket's name, as cdk-nag prints it (literal when the stack has an explicit environment).
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    for (const child of stack.node.children) {
      if (!child.node.id.startsWith('Custom::CDKBucketDeployment')) continue;
      const why =
        "CDK's BucketDeployment provider (deploy time only: copies dist/console from the CDK asset bucket into the " +
        'console bucket and invalidates index.html); its role, wildcards on those two buckets and runtime are ' +
        "CDK's, not scimgate's.";
      Validations.of(child).acknowledge(
        {
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason: why,
        },
        { id: 'AwsSolutions-IAM5[Action::s3:GetObject*]', reason: why },
        { id: 'AwsSolutions-IAM5[Action::s3:GetBucket*]', reason: why },
        { id: 'AwsSolutions-IAM5[Action::s3:List*]', reason: why },
        { id: 'AwsSolutions-IAM5[Action::s3:DeleteObject*]', reason: why },
        { id: 'AwsSolutions-IAM5[Action::s3:Abort*]', reason: why },
        {
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-${account}-${region}/*]`,
          reason: why,
        },
        {
          id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(this.bucket.node.defaultChild as CfnResource)}.Arn>/*]`,
          reason: why,
        },
        {
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason: `${why} (CloudFront invalidations support no resource-level permissions)`,
        },
        { id: 'AwsSolutions-L1', reason: `${why} The runtime is pinned by aws-cdk-lib and moves with it.` },
      );
    }

    this.url = `https://${this.distribution.distributionDomainName}${CONSOLE_PATH}/`;
  }
}
