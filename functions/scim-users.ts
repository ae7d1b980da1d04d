/** Lambda entry point: scimUsers routes of the shared route table. */
import { httpHandler } from './lambda';

export const handler = httpHandler('scimUsers');
