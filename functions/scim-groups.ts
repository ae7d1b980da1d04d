/** Lambda entry point: scimGroups routes of the shared route table. */
import { httpHandler } from './lambda';

export const handler = httpHandler('scimGroups');
