/** Builds the stacks of one stage into an app (used by app.ts and by the infra tests). */
import { Tags, type App, type Environment } from 'aws-cdk-lib';
import { JOB_NAMES } from '../shared/domain/jobs';
import { ApiStack } from './api-stack';
import { DataStack } from './data-stack';
import { EventsStack } from './events-stack';
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
  events: EventsStack;
  monitoring: MonitoringStack;
}

export function buildApp(app: App, stage: StageConfig, env?: Environment): ScimgateStacks {
  const prefix = `Scimgate-${stage.name}`;
  const data = new DataStack(app, `${prefix}-Data`, {
    env,
    description: `scimgate ${stage.name}: table, pepper and SET signing seed (retained on delete)`,
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
    setKeySecret: data.setKeySecret,
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
  const events = new EventsStack(app, `${prefix}-Events`, {
    env,
    description: `scimgate ${stage.name}: change events (stream consumer, EventBridge bus, webhooks)`,
    stage,
    table: data.table,
    pepperSecret: data.pepperSecret,
    setKeySecret: data.setKeySecret,
  });
  const functions: Record<string, ScimgateFunction> = { ...api.functions };
  for (const job of JOB_NAMES) functions[`${job}Job`] = jobs.functions[job];
  if (jobs.feedbackFunction) functions.sesFeedback = jobs.feedbackFunction;
  functions.membershipStream = jobs.membership.streamFunction;
  functions.membershipSweep = jobs.membership.sweepFunction;
  functions.eventStream = events.consumer;
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
    events: { deadLetterQueue: events.deadLetterQueue, consumer: events.consumer },
  });
  Tags.of(app).add('app', 'scimgate');
  Tags.of(app).add('stage', stage.name);
  return { data, ...(mail ? { mail } : {}), api, jobs, events, monitoring };
}
