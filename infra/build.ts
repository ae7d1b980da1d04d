/** Builds the stacks of one stage into an app (used by app.ts and by the infra tests). */
import { Tags, type App, type Environment } from 'aws-cdk-lib';
import { ApiStack } from './api-stack';
import { DataStack } from './data-stack';
import type { StageConfig } from './stages';

export interface ScimgateStacks {
  data: DataStack;
  api: ApiStack;
}

export function buildApp(app: App, stage: StageConfig, env?: Environment): ScimgateStacks {
  const prefix = `Scimgate-${stage.name}`;
  const data = new DataStack(app, `${prefix}-Data`, {
    env,
    description: `scimgate ${stage.name}: table and pepper (retained on delete)`,
  });
  const api = new ApiStack(app, `${prefix}-Api`, {
    env,
    description: `scimgate ${stage.name}: SCIM HTTP API and functions`,
    stage,
    table: data.table,
    pepperSecret: data.pepperSecret,
  });
  Tags.of(app).add('app', 'scimgate');
  Tags.of(app).add('stage', stage.name);
  return { data, api };
}
