/**
 * Every HTTP function's family factory, by function id: for the local server's in-process harness, the tests and
 * the benchmarks. No Lambda entry imports this (each imports only its own composition root).
 */
import type { FunctionId } from '../../shared/http/routes';
import type { FamilyFactory } from '../runtime/http-function';
import { consoleApi } from './console';
import { management } from './management';
import { oauthToken } from './oauth';
import { scimGroups, scimRoot, scimUsers } from './scim';

export const FAMILIES: Record<FunctionId, FamilyFactory> = {
  scimUsers,
  scimGroups,
  scimRoot,
  oauthToken,
  management,
  console: (core) => consoleApi(core),
};
