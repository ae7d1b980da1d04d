/** Which component of docs/openapi.json each zod schema is, and whether it is read (input) or written (output). */
import type * as z from 'zod/mini';
import * as schemas from '../shared/domain/credential-schemas';
import { EventsPageSchema, ListedEventSchema } from '../shared/domain/events/model';

export interface Component {
  schema: z.ZodMiniType;
  io: 'input' | 'output';
}

const input = (schema: z.ZodMiniType): Component => ({ schema, io: 'input' });
const output = (schema: z.ZodMiniType): Component => ({ schema, io: 'output' });

export const OPENAPI_COMPONENTS: Record<string, Component> = {
  ScimRequest: output(schemas.scimRequest),
  CreateTenantRequest: input(schemas.requestSchemas.createTenant),
  TenantPolicyPatch: input(schemas.requestSchemas.policyPatch),
  ReminderSettingsPatch: input(schemas.remindersPatch),
  CreateEndpointRequest: input(schemas.requestSchemas.createEndpoint),
  ApplicationUrlPatch: input(schemas.requestSchemas.applicationUrlPatch),
  AddAdminRequest: input(schemas.requestSchemas.addAdmin),
  CreateSetupLinkRequest: input(schemas.requestSchemas.setupLink),
  IssueCredentialRequest: input(schemas.requestSchemas.issue),
  UpdateCredentialRequest: input(schemas.requestSchemas.update),
  ExtendRequest: input(schemas.requestSchemas.extend),
  RotateRequest: input(schemas.requestSchemas.rotate),
  RebindRequest: input(schemas.requestSchemas.rebind),
  EmptyRequest: input(schemas.requestSchemas.empty),
  TenantPolicy: output(schemas.tenantPolicy),
  ReminderSettings: output(schemas.reminderSettings),
  Tenant: output(schemas.tenant),
  Endpoint: output(schemas.endpoint),
  AdminMember: output(schemas.adminMember),
  SecretSlotView: output(schemas.secretSlotView),
  CredentialView: output(schemas.credentialView),
  ChangeEvent: output(ListedEventSchema),
  EventPage: output(EventsPageSchema),
};
