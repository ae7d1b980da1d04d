/**
 * The Lambda adapter of every HTTP function: one middy stack, the same for the three API families.
 *
 *   Powertools (Lambda only) → access log + status metric → the family's error policy → request → route handler
 *
 * - request: the API Gateway v2 event becomes an HttpRequest, the family authenticates the caller, then its body
 *   is parsed; the route is the one API Gateway (or the local
 *   server, from the same table) matched: `event.routeKey` names the table entry and `event.pathParameters` its
 *   decoded parameters, so nothing is matched twice. JSON families get their body parsed here.
 * - errors: whatever a handler throws becomes the family's error body, once (`classifyError`: ScimError as it is,
 *   storage busy or unavailable → 503 with an integer Retry-After, anything else → a logged 500 with no internals).
 * - access log: one line per request (function, method, path, status, latency, caller; never headers, query
 *   strings or bodies, which carry secrets), and one status-class metric in Lambda.
 *
 * The local server and the HTTP tests call these very handlers with the events they build.
 */
import middy, { type MiddlewareObj, type Request } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { fromApiGateway, toApiGateway } from '../../shared/http/apigw';
import {
  AnsweredError,
  classifyError,
  type ApiFamily,
  type RouteHandler,
  type RouteRequest,
} from '../../shared/http/api-family';
import { ROUTES, routeForKey, routeKey, type FunctionId } from '../../shared/http/routes';
import type { HttpResponse } from '../../shared/http/types';
import { ScimError } from '../../shared/scim/errors';
import { coreFromEnv, lazyServices, type Core, type CoreSupplier } from './core';
import { lambdaObservability, type LambdaObservability } from './observability';

export type LambdaHttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** Builds a function's API family from the core (its composition root). */
export type FamilyFactory = (core: Core) => ApiFamily;

interface Exchange {
  started: number;
  family: ApiFamily;
  core: Core;
  req?: RouteRequest;
  route?: string;
  handle?: RouteHandler;
}

type Mw = MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>;
type HttpRequestState = Request<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>;

/** Per-invocation state, keyed by the invocation's context object (the local server runs requests concurrently). */
const exchanges = new WeakMap<Context, Exchange>();

function exchangeOf(context: Context): Exchange {
  const x = exchanges.get(context);
  if (!x) throw new Error('http function: no exchange for this invocation');
  return x;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

export interface HttpFunctionOptions {
  core?: CoreSupplier;
  observability?: LambdaObservability;
}

export type WarmableHandler = LambdaHttpHandler & {
  /** Builds the core and the family now (Lambda init), so bad configuration fails the cold start. */
  warm(): void;
};

/** The middy handler of one HTTP function of the route table. */
export function httpFunction(
  fn: FunctionId,
  factory: FamilyFactory,
  options: HttpFunctionOptions = {},
): WarmableHandler {
  const observe = options.observability;
  const warm = lazyServices(options.core ?? coreFromEnv, factory, observe?.instrument);

  const finish = async (request: HttpRequestState): Promise<void> => {
    const x = exchangeOf(request.context);
    const status = request.response?.statusCode ?? 500;
    if (x.family.answered && x.req?.caller !== undefined) {
      await x.family.answered(x.req, status).catch((e: unknown) =>
        x.core.logger.warn('request not recorded', {
          function: fn,
          errorName: e instanceof Error ? e.name : typeof e,
        }),
      );
    }
    observe?.counter?.count(fn, status);
    const http = request.event.requestContext.http;
    x.core.logger.info?.('request', {
      function: fn,
      method: http.method,
      path: request.event.rawPath,
      status,
      ms: Math.round(performance.now() - x.started),
      sourceIp: http.sourceIp,
      userAgent: (http.userAgent ?? '').slice(0, 200),
    });
    exchanges.delete(request.context);
  };

  const accessLog: Mw = {
    before: (request) => {
      const { core, services: family } = warm();
      exchanges.set(request.context, { started: performance.now(), family, core });
    },
    after: finish,
    onError: finish,
  };

  const errors: Mw = {
    onError: (request) => {
      const x = exchangeOf(request.context);
      if (request.error instanceof AnsweredError) {
        request.response = toApiGateway(request.error.response);
        return;
      }
      const error = classifyError(request.error, x.core.logger, { function: fn, route: x.route });
      request.response = toApiGateway(x.family.renderError(x.req, error, request.error));
    },
  };

  const route: Mw = {
    before: async (request) => {
      const x = exchangeOf(request.context);
      const http = fromApiGateway(request.event);
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(request.event.pathParameters ?? {}))
        if (v !== undefined) params[k] = v;
      x.req = { ...http, params };
      const def = routeForKey(request.event.routeKey);
      const handle = def && def.fn === fn ? x.family.routes[routeKey(def)] : undefined;
      if (!def || !handle) throw ScimError.notFound(`nothing at ${http.path}`);
      x.route = routeKey(def);
      x.handle = handle;
      if (x.family.authenticate) x.req.caller = await x.family.authenticate(x.req);
      if (x.family.parseBody && BODY_METHODS.has(http.method)) x.req.json = x.family.parseBody(http);
    },
  };

  const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use(observe?.middlewares ?? [])
    .use(accessLog)
    .use(errors)
    .use(route)
    .handler(async (_event, context) => {
      const x = exchangeOf(context);
      const res: HttpResponse = await x.handle!(x.req!);
      return toApiGateway(res);
    });
  return Object.assign(handler as unknown as LambdaHttpHandler, { warm: () => void warm() });
}

/** Checks at start-up that a family serves every route the table gives its function. */
export function unservedRoutes(fn: FunctionId, family: ApiFamily): string[] {
  return ROUTES.filter((r) => r.fn === fn)
    .map(routeKey)
    .filter((k) => !family.routes[k]);
}

/** A Lambda entry's handler: Powertools around it, built during init so bad configuration fails the cold start. */
export async function lambdaHttpFunction(fn: FunctionId, factory: FamilyFactory): Promise<LambdaHttpHandler> {
  const handler = httpFunction(fn, factory, { observability: await lambdaObservability() });
  if (process.env.AWS_LAMBDA_FUNCTION_NAME) handler.warm();
  return handler;
}
