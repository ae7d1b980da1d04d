/** Lambda entry point: scimRoot routes of the shared route table. */
import { httpHandler } from './lambda';

export const handler = httpHandler('scimRoot');
