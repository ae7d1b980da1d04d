/**
 * Stateful resources: the table, the pepper and the SET signing seed. Deployed separately so the API can be torn
 * down freely.
 */
import { RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { PepperSecret } from './pepper-secret';
import { ScimgateTable } from './table';

export class DataStack extends Stack {
  readonly table: dynamodb.Table;
  readonly pepperSecret: secretsmanager.ISecret;
  /** `{ "seed": "…" }`: the Security Event Tokens' signing key derives from it (docs/events.md). */
  readonly setKeySecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.table = new ScimgateTable(this, 'Scim').table;
    const pepper = new PepperSecret(this, 'Pepper');
    this.pepperSecret = pepper.secret;
    this.setKeySecret = new secretsmanager.Secret(this, 'SetSigningSeed', {
      description:
        'scimgate: seed of the Ed25519 key that signs change events as SETs ({"seed","previousSeeds"})',
      generateSecretString: {
        secretStringTemplate: '{}',
        generateStringKey: 'seed',
        passwordLength: 64,
        excludePunctuation: true,
        includeSpace: false,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.setKeySecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotation moves the seed to previousSeeds and adds a new one, so receivers can verify with both keys ' +
        'during the change-over (docs/events.md); a rotation Lambda replacing the document would break that.',
    });

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
