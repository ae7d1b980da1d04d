/** Lambda entry point: the scimRoot routes of the shared route table (functions/compose/scim.ts builds what it uses). */
import { scimRoot } from './compose/scim';
import { lambdaHttpFunction } from './runtime/http-function';

export const handler = await lambdaHttpFunction('scimRoot', scimRoot);
