/** The tenants' change-event logs in the table (docs/events.md), for every function that reads or appends them. */
import { DynamoEventStore } from '../../shared/adapters/dynamodb/event-store';
import type { Core } from '../runtime/core';

export function eventStore(core: Core): DynamoEventStore {
  return new DynamoEventStore(core.doc, core.config.TABLE_NAME, core.clock);
}
