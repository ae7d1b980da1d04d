/** Stateful resources: the table and the pepper. Deployed separately so the API can be torn down freely. */
import { Stack, Validations, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { PepperSecret } from './pepper-secret';
import { ScimgateTable } from './table';

export class DataStack extends Stack {
  readonly table: dynamodb.Table;
  readonly pepperSecret: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.table = new ScimgateTable(this, 'Scim').table;
    const pepper = new PepperSecret(this, 'Pepper');
    this.pepperSecret = pepper.secret;

    Validations.of(pepper.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The pepper is versioned inside the document and rotated by adding a version (docs/deploy.md); a ' +
        'Secrets Manager rotation Lambda would replace the document and orphan every stored credential hash.',
    });
    Validations.of(pepper.initialKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'One-time key material copied into the pepper document at creation; rotating it would change nothing ' +
        'the functions read (they never read this secret).',
    });
  }
}
