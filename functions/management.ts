/** Lambda entry point: management routes of the shared route table. */
import { httpHandler } from './lambda';

export const handler = httpHandler('management');
