/** Lambda entry point: the oauthToken routes of the shared route table (functions/compose/oauth.ts builds what it uses). */
import { oauthToken } from './compose/oauth';
import { lambdaHttpFunction } from './runtime/http-function';

export const handler = await lambdaHttpFunction('oauthToken', oauthToken);
