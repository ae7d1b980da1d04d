/**
 * Powertools Tracer: a subsegment per DynamoDB call and the handler's own segment annotations. Loaded only when the
 * stage turns detailed tracing on (SCIMGATE_TRACER=on at bundle time); otherwise esbuild leaves it out.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddlewareObj } from '@middy/core';
import type { DocumentClient } from '../../shared/adapters/dynamodb/commands';
import { SERVICE_NAME } from './observability';

const tracer = new Tracer({ serviceName: SERVICE_NAME });

export function tracerMiddleware(): MiddlewareObj {
  return captureLambdaHandler(tracer) as MiddlewareObj;
}

/**
 * A `DynamoDB` subsegment per call of the document client (it speaks the protocol itself, so there is no SDK client
 * for `captureAWSv3Client`): the action and table as X-Ray's `aws` attributes, errors recorded.
 */
export function traceClient(doc: DocumentClient): DocumentClient {
  doc.intercept('xray', async (call, next) => {
    const subsegment = tracer.getSegment()?.addNewSubsegment('DynamoDB');
    if (!subsegment) return next();
    subsegment.namespace = 'aws';
    const table = (call.input as { TableName?: string }).TableName;
    subsegment.addAttribute('aws', { operation: call.operation, ...(table ? { table_name: table } : {}) });
    try {
      return await next();
    } catch (e) {
      subsegment.addError(e as Error, true);
      throw e;
    } finally {
      subsegment.close();
    }
  });
  return doc;
}
