/**
 * Lambda plumbing shared by every entry point: the container is built once per Lambda container (module scope),
 * config is validated at cold start, and the handler only translates (see docs/decisions/0003-no-middy.md).
 */
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

/** The Lambda handler of one function; `resolve` is swapped only by tests that bring their own container. */
export function httpHandler(
  fn: FunctionId,
  resolve: () => Container = getContainer,
): (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2> {
  return async (event) => {
    const c = resolve();
    return toApiGateway(await c.handlers[fn](fromApiGateway(event)));
  };
}

// In Lambda, build the container during init so bad configuration fails the cold start, not a request.
if (process.env.AWS_LAMBDA_FUNCTION_NAME) getContainer();
