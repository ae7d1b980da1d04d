/**
 * The one logger of every function, and the Powertools middlewares of Lambda.
 *
 * In Lambda (AWS_LAMBDA_FUNCTION_NAME set) the logger is Powertools Logger (structured JSON, service `scimgate`,
 * the invocation's context injected by its middy middleware; only the message and the caller's own fields, never
 * request bodies or headers), and every HTTP response counts once in a Powertools metric per status class
 * (`Status2xx` … `Status5xx`, namespace `scimgate`, dimension `function`). The local server, the benchmarks and
 * the tests log JSON lines to the console (the test run's secret scan reads them) and write no EMF.
 *
 * X-Ray: Lambda records each invocation with active tracing on. The Powertools Tracer, which adds a subsegment per
 * DynamoDB call, is a per-stage setting decided at bundle time (`SCIMGATE_TRACER`, see infra/function.ts): when
 * off, esbuild drops it from the bundle.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';
import type { DocumentClient } from '../../shared/adapters/dynamodb/commands';
import type { AppConfig } from '../../shared/config';
import type { EdgeLogger } from '../../shared/http/api-family';

export const SERVICE_NAME = 'scimgate';

let powertoolsLogger: Logger | undefined;
const lambdaPowertoolsLogger = () => (powertoolsLogger ??= new Logger({ serviceName: SERVICE_NAME }));

/** Powertools Logger behind the edge's logger interface (Lambda). */
export function lambdaLogger(logger: Logger = lambdaPowertoolsLogger()): EdgeLogger {
  return {
    error: (message, extra) => logger.error(message, extra ?? {}),
    warn: (message, extra) => logger.warn(message, extra ?? {}),
    info: (message, extra) => logger.info(message, extra ?? {}),
  };
}

/** JSON lines on the console (local server, tests, benchmarks); ACCESS_LOG=off drops the access lines. */
export function consoleLogger(config: Pick<AppConfig, 'ACCESS_LOG'>): EdgeLogger {
  return {
    error: (message, extra) => console.error(JSON.stringify({ level: 'ERROR', message, ...extra })),
    warn: (message, extra) => console.warn(JSON.stringify({ level: 'WARN', message, ...extra })),
    ...(config.ACCESS_LOG === 'off'
      ? {}
      : { info: (message, extra) => console.log(JSON.stringify({ level: 'INFO', message, ...extra })) }),
  };
}

/** Counts one response of a function by status class (one EMF line per invocation, flushed by logMetrics). */
export interface ResponseCounter {
  count(fn: string, status: number): void;
}

export function statusMetric(status: number): string {
  return `Status${Math.min(Math.max(Math.floor(status / 100), 1), 5)}xx`;
}

export function powertoolsCounter(metrics: Metrics): ResponseCounter {
  return {
    count: (fn, status) => {
      metrics.addDimension('function', fn);
      metrics.addMetric(statusMetric(status), MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
    },
  };
}

export interface LambdaObservability {
  /** Powertools' middy middlewares: the logger's invocation context (and the tracer, where the stage has it). */
  middlewares: MiddlewareObj[];
  counter?: ResponseCounter;
  /** Instruments the core's document client (the tracer, where the stage has it). */
  instrument(doc: DocumentClient): DocumentClient;
}

/** What a function wraps itself in: Powertools in Lambda, nothing elsewhere. */
export async function lambdaObservability(): Promise<LambdaObservability> {
  const none = (doc: DocumentClient) => doc;
  if (!process.env.AWS_LAMBDA_FUNCTION_NAME) return { middlewares: [], instrument: none };
  const middlewares: MiddlewareObj[] = [injectLambdaContext(lambdaPowertoolsLogger()) as MiddlewareObj];
  let instrument = none;
  if (process.env.SCIMGATE_TRACER === 'on') {
    const tracing = await import('./tracer');
    middlewares.push(tracing.tracerMiddleware());
    instrument = tracing.traceClient;
  }
  return {
    middlewares,
    counter: powertoolsCounter(new Metrics({ namespace: SERVICE_NAME, serviceName: SERVICE_NAME })),
    instrument,
  };
}
