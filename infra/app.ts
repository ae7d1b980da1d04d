/** CDK entry point (`cdk.json`: `npx tsx infra/app.ts`). Select a stage with `-c stage=dev|prod`. */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildApp } from './build';
import { resolveStage } from './stages';

const app = new App();
const stage = resolveStage({
  stage: app.node.tryGetContext('stage'),
  alarmEmail: app.node.tryGetContext('alarmEmail'),
  publicBaseUrl: app.node.tryGetContext('publicBaseUrl'),
  customDomain: app.node.tryGetContext('customDomain'),
  certificateArn: app.node.tryGetContext('certificateArn'),
  senderAddress: app.node.tryGetContext('senderAddress'),
  senderIdentity: app.node.tryGetContext('senderIdentity'),
  consoleUrl: app.node.tryGetContext('consoleUrl'),
  eventWebhooks: app.node.tryGetContext('eventWebhooks'),
});
buildApp(app, stage, {
  account: process.env.CDK_DEFAULT_ACCOUNT,
  region: process.env.CDK_DEFAULT_REGION,
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
