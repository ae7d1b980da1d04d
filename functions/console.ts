/** Lambda entry point: the admin console's API (/console/api), the console routes of the shared route table. */
import { httpHandler } from './lambda';

export const handler = httpHandler('console');
