/**
 * `npm run migrate:0014`: the one-off backfill to the membership layout of docs/decisions/0014-*.md. Run once right
 * after deploying the version that introduced it (idempotent; safe while serving traffic).
 *
 *   TABLE_NAME=<table> AWS_REGION=<region> npm run migrate:0014           (AWS credentials: profile, SSO or variables)
 *   TABLE_NAME=scimgate DYNAMODB_ENDPOINT=http://127.0.0.1:<port> npm run migrate:0014    (a local table)
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';
import { migrateTo0014 } from '../../shared/adapters/dynamodb/migrate-0014';

async function main(): Promise<void> {
  const tableName = process.env.TABLE_NAME;
  if (!tableName) throw new Error('TABLE_NAME is required');
  const doc = createDocumentClient({
    ...(process.env.AWS_REGION ? { region: process.env.AWS_REGION } : {}),
    // An operator's machine: the SDK's provider chain (AWS_PROFILE, SSO, the usual variables).
    ...(process.env.DYNAMODB_ENDPOINT
      ? { endpoint: process.env.DYNAMODB_ENDPOINT }
      : { credentials: defaultProvider() }),
  });
  const report = await migrateTo0014(doc, tableName);
  console.log(JSON.stringify({ message: 'migration 0014 done', table: tableName, ...report }));
}

main().catch((e: Error) => {
  console.error(`migrate-0014: ${e.message}`);
  process.exit(1);
});
