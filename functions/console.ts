/** Lambda entry point: the admin console's API (/console/api), the console routes of the shared route table. */
import { consoleApi } from './compose/console';
import { lambdaHttpFunction } from './runtime/http-function';

export const handler = await lambdaHttpFunction('console', consoleApi);
