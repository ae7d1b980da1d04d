/** Lambda entry point: the scimGroups routes of the shared route table (functions/compose/scim.ts builds what it uses). */
import { scimGroups } from './compose/scim';
import { lambdaHttpFunction } from './runtime/http-function';

export const handler = await lambdaHttpFunction('scimGroups', scimGroups);
