/** Lambda entry point: oauthToken routes of the shared route table. */
import { httpHandler } from './lambda';

export const handler = httpHandler('oauthToken');
