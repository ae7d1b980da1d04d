/**
 * The document client's envelope conversion (shared/adapters/dynamodb/wire.ts): every attribute map of a request is
 * converted and nothing else is, and DynamoDB's answers come back as the documents that went in — for any item,
 * including attributes named like the envelope's own members (`Item`, `Key`, `Items`) and binary values.
 */
import * as fc from 'fast-check';
import { inputToWire, outputFromWire } from '../../shared/adapters/dynamodb/wire';

/**
 * Attribute names: any but `constructor` and `__proto__`, which the SCIM layer refuses before anything is stored
 * ("attribute name 'constructor' is not allowed") and util-dynamodb cannot marshal as an own property.
 */
const attributeName = (extra: string[]) =>
  fc.oneof(
    fc.string({ minLength: 1 }).filter((k) => k !== 'constructor' && k !== '__proto__'),
    fc.constantFrom(...extra),
  );

/** Document values DynamoDB stores (undefined is removed on the way in, so it is not generated). */
const value = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.integer(),
    // Within what DynamoDB and util-dynamodb hold as a JavaScript number.
    fc.double({ noNaN: true, min: -1e15, max: 1e15 }),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ minLength: 1, maxLength: 8 }),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(
      fc.oneof(fc.string({ minLength: 1 }), fc.constantFrom('Item', 'Key', 'Items', 'Keys')),
      tie('v'),
      {
        maxKeys: 3,
      },
    ),
  ),
}));
const item = fc.dictionary(attributeName(['Item', 'Key', 'Items', 'Keys', 'Responses']), value.v, {
  maxKeys: 6,
});

/** What unmarshall gives back for a value (-0 is stored as 0; bytes come back as Uint8Array). */
const normalized = (v: unknown): unknown =>
  Object.is(v, -0)
    ? 0
    : v instanceof Uint8Array
      ? Array.from(v)
      : Array.isArray(v)
        ? v.map(normalized)
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalized(x)]))
          : v;

describe('document client wire conversion', () => {
  it('should give back any item put through a request and a response', () => {
    fc.assert(
      fc.property(item, (doc) => {
        const wire = inputToWire({ TableName: 't', Item: doc });
        // The JSON protocol: what is sent is JSON, and so is what comes back.
        const back = outputFromWire(JSON.parse(JSON.stringify({ Item: wire.Item, Items: [wire.Item] })));
        expect(normalized(back.Item)).toEqual(normalized(doc));
        expect(normalized(back.Items)).toEqual([normalized(doc)]);
      }),
    );
  });

  it('should convert every attribute map of a transaction and a batch, and only those', () => {
    fc.assert(
      fc.property(item, fc.string(), (doc, text) => {
        const key = { pk: text, sk: 'x' };
        const wire = inputToWire({
          TransactItems: [
            { Put: { TableName: 't', Item: doc, ConditionExpression: 'attribute_not_exists(pk)' } },
            {
              Update: {
                TableName: 't',
                Key: key,
                UpdateExpression: 'SET a = :a',
                ExpressionAttributeValues: { ':a': doc },
              },
            },
            {
              ConditionCheck: {
                TableName: 't',
                Key: key,
                ConditionExpression: 'x',
                ExpressionAttributeNames: { '#n': 'Item' },
              },
            },
          ],
        });
        const [put, update, check] = wire.TransactItems as Record<string, Record<string, unknown>>[];
        const readBack = (map: unknown) =>
          normalized(outputFromWire(JSON.parse(JSON.stringify({ Item: map }))).Item);
        expect(readBack(put!.Put!.Item)).toEqual(normalized(doc));
        expect(readBack(update!.Update!.ExpressionAttributeValues)).toEqual({ ':a': normalized(doc) });
        expect(update!.Update!.Key).toEqual({ pk: { S: text }, sk: { S: 'x' } });
        expect(Object.keys(update!.Update!.ExpressionAttributeValues as object)).toEqual([':a']);
        expect(check!.ConditionCheck!.ExpressionAttributeNames).toEqual({ '#n': 'Item' });
        expect(check!.ConditionCheck!.ConditionExpression).toBe('x');

        const batch = inputToWire({
          RequestItems: {
            t: [{ PutRequest: { Item: doc } }, { DeleteRequest: { Key: key } }],
            u: { Keys: [key, key], ProjectionExpression: 'pk' },
          },
        }).RequestItems as Record<string, unknown>;
        expect((batch.t as { DeleteRequest?: { Key: unknown } }[])[1]!.DeleteRequest!.Key).toEqual({
          pk: { S: text },
          sk: { S: 'x' },
        });
        expect(batch.u).toEqual({
          Keys: [update!.Update!.Key, update!.Update!.Key],
          ProjectionExpression: 'pk',
        });
      }),
    );
  });

  it('should read a batch get, a page, a cancelled transaction and binary values back as documents', () => {
    const stored = { pk: { S: 'a' }, n: { N: '12.5' }, b: { B: Buffer.from([1, 2, 3]).toString('base64') } };
    const out = outputFromWire({
      Responses: { t: [stored] },
      UnprocessedKeys: { t: { Keys: [{ pk: { S: 'b' } }] } },
      LastEvaluatedKey: { pk: { S: 'a' } },
      CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed', Item: stored }],
      ConsumedCapacity: [{ TableName: 't', CapacityUnits: 1 }],
    });

    const doc = { pk: 'a', n: 12.5, b: new Uint8Array([1, 2, 3]) };
    expect(out.Responses).toEqual({ t: [doc] });
    expect(out.UnprocessedKeys).toEqual({ t: { Keys: [{ pk: 'b' }] } });
    expect(out.LastEvaluatedKey).toEqual({ pk: 'a' });
    expect(out.CancellationReasons).toEqual([
      { Code: 'None' },
      { Code: 'ConditionalCheckFailed', Item: doc },
    ]);
    expect(out.ConsumedCapacity).toEqual([{ TableName: 't', CapacityUnits: 1 }]);
  });

  it('should send binary values as base64 and drop undefined attributes', () => {
    const wire = inputToWire({
      Item: { b: new Uint8Array([255, 0]), gone: undefined, nested: { x: undefined, y: 1 } },
    });

    expect(wire.Item).toEqual({ b: { B: '/wA=' }, nested: { M: { y: { N: '1' } } } });
  });
});
