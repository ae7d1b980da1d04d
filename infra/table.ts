/**
 * The one DynamoDB table, built from the shared table design (shared/adapters/dynamodb/table-design.ts) that
 * the storage adapter and the local server use too.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { INDEXES, KEY, TTL_ATTRIBUTE } from '../shared/adapters/dynamodb/table-design';

const S = dynamodb.AttributeType.STRING;

export class ScimgateTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: KEY.partition, type: S },
      sortKey: { name: KEY.sort, type: S },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      // Read by the background membership worker (infra/membership.ts, docs/decisions/0014-*.md) and the change-event
      // consumer (infra/events-stack.ts, docs/events.md): two consumers, as a DynamoDB stream allows.
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    });
    for (const index of Object.values(INDEXES)) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: S },
        sortKey: { name: index.sortKey, type: S },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
  }
}

/** ARNs of every index of the table, one per index in the design (no `index/*` wildcard). */
export function indexArns(table: dynamodb.ITable): string[] {
  return Object.values(INDEXES).map((index) => `${table.tableArn}/index/${index.name}`);
}
