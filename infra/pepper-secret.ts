/**
 * The hashing pepper in Secrets Manager, in the shape the loader reads (shared/credentials/pepper.ts):
 *
 *   { "versions": [ { "version": 1, "key": "<standard base64 of ≥ 32 bytes>" } ] }
 *
 * `generateSecretString` can only put a generated string at the top level of a JSON template, not inside
 * `versions[0]`, so the key is generated into its own secret (`InitialKey`: 44 characters from [A-Za-z0-9]) and
 * the pepper document embeds it with a CloudFormation dynamic reference, resolved by CloudFormation at deploy
 * time. The key never appears in the template or the cloud assembly.
 *
 * Why 44 alphanumeric characters are a valid key: the loader accepts any standard-base64 string (zod `base64`:
 * groups of four characters from [A-Za-z0-9+/], padding optional when the length is a multiple of four) that
 * decodes to at least 32 bytes. 44 such characters decode to 33 bytes, and carry 44 × log2(62) ≈ 262 bits of
 * entropy, more than 32 uniformly random bytes. test/infra/pepper-secret.test.ts checks this against the loader.
 *
 * The document has no `createdAt` (optional in the loader): CloudFormation has no deploy-time clock, and a
 * changing value would make CloudFormation overwrite rotated versions. The document template must stay
 * byte-for-byte stable for the same reason; rotation happens outside CloudFormation (docs/deploy.md).
 */
import { RemovalPolicy, SecretValue } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** Length of the generated key material: 44 base64-alphabet characters = 33 bytes. */
export const INITIAL_KEY_LENGTH = 44;

export class PepperSecret extends Construct {
  /** The pepper document the functions read (PEPPER_SECRET_ID). */
  readonly secret: secretsmanager.Secret;
  /** Key material of version 1, read only by CloudFormation when `secret` is created. */
  readonly initialKey: secretsmanager.Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.initialKey = new secretsmanager.Secret(this, 'InitialKey', {
      description: 'scimgate: generated key material of pepper version 1 (copied into the Pepper secret)',
      generateSecretString: {
        passwordLength: INITIAL_KEY_LENGTH,
        excludePunctuation: true,
        includeSpace: false,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const key = this.initialKey.secretValue.unsafeUnwrap(); // a {{resolve:secretsmanager:…}} reference, not the key
    const document = JSON.stringify({ versions: [{ version: 1, key }] });
    this.secret = new secretsmanager.Secret(this, 'Pepper', {
      description: 'scimgate: versioned HMAC pepper for credential hashes ({"versions":[{"version","key"}]})',
      // "unsafePlainText" only in name: the template holds the dynamic reference, never the key.
      secretStringValue: SecretValue.unsafePlainText(document),
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
