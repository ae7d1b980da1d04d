/**
 * Lambda plumbing shared by every entry point: the container is built once per Lambda container (module scope),
 * config is validated at cold start, and the handler only translates (see docs/decisions/0003-no-middy.md).
 *
 * In Lambda (AWS_LAMBDA_FUNCTION_NAME set) the edge logger is Powertools Logger (structured JSON, service
 * `scimgate`; only the message and the edge's own fields, never request bodies or headers) and every HTTP response
 * counts once in a Powertools metric per status class (`Status2xx` … `Status5xx`, namespace `scimgate`, dimension
 * `function`). The local server, the benchmarks and the tests run without either: the container keeps its console
 * logger and no EMF lines are written. In Lambda, Powertools Tracer also instruments the container's DynamoDB
 * client, so every DynamoDB call of an invocation is an X-Ray subsegment (the functions run with active tracing);
 * locally there is no tracer and the client is untouched.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { buildContainer, type Container } from '../shared/composition';
import { loadConfig } from '../shared/config';
import { fromApiGateway, toApiGateway } from '../shared/http/apigw';
import type { FunctionId } from '../shared/http/routes';
import type { EdgeLogger } from '../shared/http/scim-edge';

export const SERVICE_NAME = 'scimgate';

export interface Observability {
  logger: EdgeLogger;
  /** Counts one response of `fn` with this status, and flushes (one EMF line). */
  countResponse(fn: FunctionId, status: number): void;
}

/** Powertools-backed logger and metrics (exported for tests; built once per Lambda container). */
export function powertools(): Observability {
  const logger = new Logger({ serviceName: SERVICE_NAME });
  const metrics = new Metrics({ namespace: SERVICE_NAME, serviceName: SERVICE_NAME });
  return {
    logger: {
      error: (message, extra) => logger.error(message, extra ?? {}),
      warn: (message, extra) => logger.warn(message, extra ?? {}),
      info: (message, extra) => logger.info(message, extra ?? {}),
    },
    countResponse: (fn, status) => {
      const metric = `Status${Math.min(Math.max(Math.floor(status / 100), 1), 5)}xx`;
      metrics.addDimension('function', fn);
      metrics.addMetric(metric, MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
    },
  };
}

const observability: Observability | undefined = process.env.AWS_LAMBDA_FUNCTION_NAME
  ? powertools()
  : undefined;

const tracer: Tracer | undefined = process.env.AWS_LAMBDA_FUNCTION_NAME
  ? new Tracer({ serviceName: SERVICE_NAME })
  : undefined;

let container: Container | undefined;

export function getContainer(): Container {
  if (!container) {
    container = buildContainer(loadConfig(), observability ? { logger: observability.logger } : {});
    // The document client shares its middleware stack with the DynamoDB client it wraps.
    tracer?.captureAWSv3Client(container.doc);
  }
  return container;
}

/** The Lambda handler of one function; `resolve` is swapped only by tests that bring their own container. */
export function httpHandler(
  fn: FunctionId,
  resolve: () => Container = getContainer,
  observe: Observability | undefined = observability,
): (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2> {
  return async (event) => {
    const c = resolve();
    const started = performance.now();
    const req = fromApiGateway(event);
    const res = await c.handlers[fn](req);
    observe?.countResponse(fn, res.status);
    // The access log: what was asked and answered, never headers, query strings or bodies (they carry secrets).
    c.edge.logger.info?.('request', {
      function: fn,
      method: req.method,
      path: req.path,
      status: res.status,
      ms: Math.round(performance.now() - started),
      sourceIp: req.sourceIp,
      userAgent: req.userAgent.slice(0, 200),
    });
    return toApiGateway(res);
  };
}

// In Lambda, build the container during init so bad configuration fails the cold start, not a request.
if (process.env.AWS_LAMBDA_FUNCTION_NAME) getContainer();
