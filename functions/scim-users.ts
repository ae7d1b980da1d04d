/** Lambda entry point: the scimUsers routes of the shared route table (functions/compose/scim.ts builds what it uses). */
import { scimUsers } from './compose/scim';
import { lambdaHttpFunction } from './runtime/http-function';

export const handler = await lambdaHttpFunction('scimUsers', scimUsers);
