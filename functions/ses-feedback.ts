/**
 * Lambda entry point: SES bounce and complaint events (SNS, from the configuration set's event destination).
 * Permanent bounces and complaints become suppressed recipients of the tenants the mail was about, so the jobs skip
 * them and admins can see why (docs/jobs.md).
 */
import { recordFeedback } from './compose/ses-feedback';
import { DynamoCredentialRepository } from '../shared/adapters/dynamodb/credential-repository';
import { lambdaEventFunction } from './runtime/event-function';

export const handler = await lambdaEventFunction(
  'ses feedback',
  (core) => ({
    repository: new DynamoCredentialRepository(core.doc, core.config.TABLE_NAME),
    clock: core.clock,
  }),
  recordFeedback,
);
