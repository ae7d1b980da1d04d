/**
 * Lambda plumbing shared by every entry point: the container is built once per Lambda container (module scope),
 * config is validated at cold start, and middy wraps the translated handler.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { buildContainer, type Container } from '../shared/composition';
import { loadConfig } from '../shared/config';
import { fromApiGateway, toApiGateway } from '../shared/http/apigw';
import type { FunctionId } from '../shared/http/routes';

let container: Container | undefined;

export function getContainer(): Container {
  container ??= buildContainer(loadConfig());
  return container;
}

export function httpHandler(fn: FunctionId) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>().handler(async (event) => {
    const c = getContainer();
    return toApiGateway(await c.handlers[fn](fromApiGateway(event)));
  });
}

// In Lambda, build the container during init so bad configuration fails the cold start, not a request.
if (process.env.AWS_LAMBDA_FUNCTION_NAME) getContainer();
