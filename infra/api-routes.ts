/**
 * API Gateway route keys derived from the one route table (shared/http/routes.ts). API Gateway matches paths
 * case-sensitively while SCIM resource segments are case-insensitive, so each `/Users` and `/Groups` route also
 * gets a lower-case alias; the functions' own router matches both.
 */
import { ROUTES, aliasPath, type FunctionId, type RouteDef } from '../shared/http/routes';
import type { HttpMethod } from '../shared/http/types';

export { ALIASED_SEGMENTS } from '../shared/http/routes';

export interface ApiRoute {
  fn: FunctionId;
  method: HttpMethod;
  path: string;
  /** The table entry this route serves (itself, or the entry it is an alias of). */
  source: RouteDef;
}

/** Every API Gateway route: one per ROUTES entry (local-only ones excepted), plus the lower-case aliases. */
export function apiRoutes(): ApiRoute[] {
  return ROUTES.filter((route) => !route.localOnly).flatMap((route) => {
    const own: ApiRoute = { fn: route.fn, method: route.method, path: route.path, source: route };
    const alias = aliasPath(route);
    return alias ? [own, { ...own, path: alias }] : [own];
  });
}
