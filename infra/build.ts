/** Builds the stacks of one stage into an app (used by app.ts and by the infra tests). */
import { Tags, type App, type Environment } from 'aws-cdk-lib';
import { JOB_NAMES } from '../shared/domain/jobs';
import { ApiStack } from './api-stack';
import { DataStack } from './data-stack';
import type { ScimgateFunction } from './function';
import { JobsStack } from './jobs-stack';
import { MailStack } from './mail';
import { MonitoringStack } from './monitoring-stack';
import type { StageConfig } from './stages';

export interface ScimgateStacks {
  data: DataStack;
  /** Only for stages with a sender address. */
  mail?: MailStack;
  api: ApiStack;
  jobs: JobsStack;
  monitoring: MonitoringStack;
}

export function buildApp(app: App, stage: StageConfig, env?: Environment): ScimgateStacks {
  const prefix = `Scimgate-${stage.name}`;
  const data = new DataStack(app, `${prefix}-Data`, {
    env,
    description: `scimgate ${stage.name}: table and pepper (retained on delete)`,
  });
  const mail = stage.senderAddress
    ? new MailStack(app, `${prefix}-Mail`, {
        env,
        description: `scimgate ${stage.name}: SES identity, configuration set and bounce/complaint topic`,
        stage,
      })
    : undefined;
  const api = new ApiStack(app, `${prefix}-Api`, {
    env,
    description: `scimgate ${stage.name}: SCIM HTTP API and functions`,
    stage,
    table: data.table,
    pepperSecret: data.pepperSecret,
  });
  const jobs = new JobsStack(app, `${prefix}-Jobs`, {
    env,
    description: `scimgate ${stage.name}: scheduled reminder and idle jobs`,
    stage,
    table: data.table,
    pepperSecret: data.pepperSecret,
    consoleUrl: api.consoleUrl,
    ...(mail ? { feedbackTopic: mail.feedbackTopic } : {}),
  });
  // The mail settings are computed from the stage (fixed names), not exported: order the deploys explicitly.
  if (mail) jobs.addStackDependency(mail, 'the job functions send mail through the configuration set');
  const functions: Record<string, ScimgateFunction> = { ...api.functions };
  for (const job of JOB_NAMES) functions[`${job}Job`] = jobs.functions[job];
  if (jobs.feedbackFunction) functions.sesFeedback = jobs.feedbackFunction;
  functions.membershipStream = jobs.membership.streamFunction;
  functions.membershipSweep = jobs.membership.sweepFunction;
  const monitoring = new MonitoringStack(app, `${prefix}-Monitoring`, {
    env,
    description: `scimgate ${stage.name}: alarms and the alarm topic`,
    stage,
    api: api.api,
    table: data.table,
    functions,
    jobFunctions: JOB_NAMES.map((job) => `${job}Job`),
    deadLetterQueue: jobs.deadLetterQueue,
    membershipDeadLetterQueue: jobs.membership.deadLetterQueue,
  });
  Tags.of(app).add('app', 'scimgate');
  Tags.of(app).add('stage', stage.name);
  return { data, ...(mail ? { mail } : {}), api, jobs, monitoring };
}
