/**
 * `npm run migrate:0013`: the one-off backfill to the membership layout of docs/decisions/0013-*.md. Run once right
 * after deploying the version that introduced it (idempotent; safe while serving traffic).
 *
 *   TABLE_NAME=<table> AWS_REGION=<region> npm run migrate:0013           (AWS credentials from the environment)
 *   TABLE_NAME=scimgate DYNAMODB_ENDPOINT=http://127.0.0.1:<port> npm run migrate:0013    (a local table)
 */
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';
import { migrateTo0013 } from '../../shared/adapters/dynamodb/migrate-0013';

async function main(): Promise<void> {
  const tableName = process.env.TABLE_NAME;
  if (!tableName) throw new Error('TABLE_NAME is required');
  const doc = createDocumentClient({
    ...(process.env.AWS_REGION ? { region: process.env.AWS_REGION } : {}),
    ...(process.env.DYNAMODB_ENDPOINT ? { endpoint: process.env.DYNAMODB_ENDPOINT } : {}),
  });
  const report = await migrateTo0013(doc, tableName);
  console.log(JSON.stringify({ message: 'migration 0013 done', table: tableName, ...report }));
}

main().catch((e: Error) => {
  console.error(`migrate-0013: ${e.message}`);
  process.exit(1);
});
