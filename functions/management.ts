/** Lambda entry point: the management routes of the shared route table (functions/compose/management.ts builds what it uses). */
import { management } from './compose/management';
import { lambdaHttpFunction } from './runtime/http-function';

export const handler = await lambdaHttpFunction('management', management);
