/**
 * Powertools Tracer: a subsegment per DynamoDB call and the handler's own segment annotations. Loaded only when the
 * stage turns detailed tracing on (SCIMGATE_TRACER=on at bundle time); otherwise esbuild leaves it out.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddlewareObj } from '@middy/core';
import { SERVICE_NAME } from './observability';

const tracer = new Tracer({ serviceName: SERVICE_NAME });

export function tracerMiddleware(): MiddlewareObj {
  return captureLambdaHandler(tracer) as MiddlewareObj;
}

/** Instruments an AWS SDK v3 client (the document client shares its middleware stack with the client it wraps). */
export function traceClient<T>(client: T): T {
  return tracer.captureAWSv3Client(client);
}
