/**
 * The document commands the repositories send (shared/adapters/dynamodb/client.ts sends them): the names, inputs
 * and outputs of `@aws-sdk/lib-dynamodb` — plain JavaScript values in, plain values out — without its runtime, which
 * brings the whole DynamoDB SDK client into every bundle (docs/decisions/0019-*.md). The types are lib-dynamodb's own,
 * imported as types only, so the repositories' code did not change.
 */
import type {
  BatchGetCommandInput,
  BatchGetCommandOutput,
  BatchWriteCommandInput,
  BatchWriteCommandOutput,
  DeleteCommandInput,
  DeleteCommandOutput,
  GetCommandInput,
  GetCommandOutput,
  PutCommandInput,
  PutCommandOutput,
  QueryCommandInput,
  QueryCommandOutput,
  ScanCommandInput,
  ScanCommandOutput,
  TransactWriteCommandInput,
  TransactWriteCommandOutput,
  UpdateCommandInput,
  UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import type { AwsCredentials } from '../aws/sigv4';

export type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';

/** DynamoDB's action names (the `X-Amz-Target` suffix). */
export type Operation =
  | 'GetItem'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'Query'
  | 'Scan'
  | 'BatchGetItem'
  | 'BatchWriteItem'
  | 'TransactWriteItems';

/** One action with its document-shaped input; `Output` is the document-shaped answer. */
export abstract class DocumentCommand<Input extends object, Output extends object> {
  declare readonly output?: Output;
  constructor(
    readonly operation: Operation,
    readonly input: Input,
  ) {}
}

export type OutputOf<C> = C extends DocumentCommand<object, infer O> ? O : never;

export class GetCommand extends DocumentCommand<GetCommandInput, GetCommandOutput> {
  constructor(input: GetCommandInput) {
    super('GetItem', input);
  }
}
export class PutCommand extends DocumentCommand<PutCommandInput, PutCommandOutput> {
  constructor(input: PutCommandInput) {
    super('PutItem', input);
  }
}
export class UpdateCommand extends DocumentCommand<UpdateCommandInput, UpdateCommandOutput> {
  constructor(input: UpdateCommandInput) {
    super('UpdateItem', input);
  }
}
export class DeleteCommand extends DocumentCommand<DeleteCommandInput, DeleteCommandOutput> {
  constructor(input: DeleteCommandInput) {
    super('DeleteItem', input);
  }
}
export class QueryCommand extends DocumentCommand<QueryCommandInput, QueryCommandOutput> {
  constructor(input: QueryCommandInput) {
    super('Query', input);
  }
}
export class ScanCommand extends DocumentCommand<ScanCommandInput, ScanCommandOutput> {
  constructor(input: ScanCommandInput) {
    super('Scan', input);
  }
}
export class BatchGetCommand extends DocumentCommand<BatchGetCommandInput, BatchGetCommandOutput> {
  constructor(input: BatchGetCommandInput) {
    super('BatchGetItem', input);
  }
}
export class BatchWriteCommand extends DocumentCommand<BatchWriteCommandInput, BatchWriteCommandOutput> {
  constructor(input: BatchWriteCommandInput) {
    super('BatchWriteItem', input);
  }
}
export class TransactWriteCommand extends DocumentCommand<
  TransactWriteCommandInput,
  TransactWriteCommandOutput
> {
  constructor(input: TransactWriteCommandInput) {
    super('TransactWriteItems', input);
  }
}

/** One call as interceptors see it: the action and its document-shaped input. */
export interface StorageCall {
  readonly operation: Operation;
  readonly input: object;
}

/**
 * Wraps every call (tests inject faults, the bench counts calls, the tracer opens a subsegment). Interceptors run
 * outside the retries and inside the storage error translation, the first installed outermost.
 */
export type Interceptor = (call: StorageCall, next: () => Promise<object>) => Promise<object>;

/** What the repositories hold: sends document commands (./client.ts builds it). */
export interface DocumentClient {
  send<C extends DocumentCommand<object, object>>(command: C): Promise<OutputOf<C>>;
  /** Installs (or replaces) the interceptor of that name. */
  intercept(name: string, interceptor: Interceptor): void;
  removeInterceptor(name: string): void;
  /** The credentials it signs with (the Secrets Manager reader signs with the same). */
  readonly credentials: () => Promise<AwsCredentials>;
  /** Closes its sockets. */
  destroy(): void;
}
