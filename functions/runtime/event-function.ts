/**
 * The Lambda adapter of the functions that are not HTTP: the scheduled jobs and the SES feedback consumer. The
 * same middy core and Powertools middlewares as the HTTP functions, the same one logger; a failure is logged and
 * rethrown so that the scheduler's or SNS's retry policy runs it again.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { EdgeLogger } from '../../shared/http/api-family';
import { coreFromEnv, lazyServices, type Core, type CoreSupplier } from './core';
import { lambdaObservability, type LambdaObservability } from './observability';

export type EventHandler<E, R> = (event: E, context?: Context) => Promise<R>;

/** What one invocation does with the function's services (built once per container from the core). */
export type EventWork<S, E, R> = (services: S, event: E, logger: EdgeLogger) => Promise<R>;

export interface EventFunctionOptions {
  core?: CoreSupplier;
  observability?: LambdaObservability;
}

export function eventFunction<S, E, R>(
  name: string,
  build: (core: Core) => S,
  work: EventWork<S, E, R>,
  options: EventFunctionOptions = {},
): EventHandler<E, R> & { warm(): void } {
  const observe = options.observability;
  const warm = lazyServices(options.core ?? coreFromEnv, build, observe?.instrument);
  const handler = middy<E, R, Error, Context>()
    .use(observe?.middlewares ?? [])
    .use({
      onError: (request) => {
        warm().core.logger.error(`${name} failed`, {
          errorName: request.error?.name,
          error: request.error?.message.slice(0, 500),
        });
      },
    })
    .handler(async (event) => {
      const { core, services } = warm();
      return work(services, event, core.logger);
    });
  return Object.assign(handler as unknown as EventHandler<E, R>, { warm: () => void warm() });
}

/** A Lambda entry's handler: Powertools around it, built during init so bad configuration fails the cold start. */
export async function lambdaEventFunction<S, E, R>(
  name: string,
  build: (core: Core) => S,
  work: EventWork<S, E, R>,
): Promise<EventHandler<E, R>> {
  const handler = eventFunction(name, build, work, { observability: await lambdaObservability() });
  if (process.env.AWS_LAMBDA_FUNCTION_NAME) handler.warm();
  return handler;
}
