/**
 * API Gateway route keys derived from the one route table (shared/http/routes.ts). API Gateway matches paths
 * case-sensitively while SCIM resource segments are case-insensitive, so each `/Users` and `/Groups` route also
 * gets a lower-case alias; the functions' own router matches both.
 */
import { ROUTES, SCIM_PREFIX, type FunctionId, type RouteDef } from '../shared/http/routes';
import type { HttpMethod } from '../shared/http/types';

/** SCIM resource segments that get a lower-case alias route. */
export const ALIASED_SEGMENTS = ['Users', 'Groups'] as const;

export interface ApiRoute {
  fn: FunctionId;
  method: HttpMethod;
  path: string;
  /** The table entry this route serves (itself, or the entry it is an alias of). */
  source: RouteDef;
}

function alias(route: RouteDef): string | undefined {
  const suffix = route.path.slice(SCIM_PREFIX.length);
  const segment = ALIASED_SEGMENTS.find((s) => suffix === `/${s}` || suffix.startsWith(`/${s}/`));
  return segment ? SCIM_PREFIX + `/${segment.toLowerCase()}` + suffix.slice(segment.length + 1) : undefined;
}

/** Every API Gateway route: one per ROUTES entry, plus the lower-case aliases. */
export function apiRoutes(): ApiRoute[] {
  return ROUTES.flatMap((route) => {
    const own: ApiRoute = { fn: route.fn, method: route.method, path: route.path, source: route };
    const aliasPath = alias(route);
    return aliasPath ? [own, { ...own, path: aliasPath }] : [own];
  });
}
