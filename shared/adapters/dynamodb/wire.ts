/**
 * Document values ↔ DynamoDB's attribute values, for the request and response envelopes of the actions in
 * ./commands.ts. In DynamoDB's API an attribute map is always under one of a few member names (`Key`, `Item`,
 * `ExpressionAttributeValues`, `ExclusiveStartKey`, `Keys`, …), at any depth of the envelope (a transaction's items,
 * a batch's requests), so one walk converts exactly those members and never looks inside an item's own attributes.
 * The conversion itself is `@aws-sdk/util-dynamodb` (the one lib-dynamodb uses), with the options lib-dynamodb was
 * given (undefined values removed, numbers as JavaScript numbers).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';

type Json = Record<string, unknown>;

const MAPS_IN = new Set(['Key', 'Item', 'ExpressionAttributeValues', 'ExclusiveStartKey']);
const MAPS_OUT = new Set(['Key', 'Item', 'Attributes', 'LastEvaluatedKey']);
/** Members that hold a list of attribute maps (`Keys` of a batch get, `Items` of a query). */
const LISTS_IN = new Set(['Keys']);
const LISTS_OUT = new Set(['Keys', 'Items']);

const toWire = (map: unknown) =>
  mapValues(marshall(map as Json, { removeUndefinedValues: true }), binary(toBase64));
const fromWire = (map: unknown) =>
  unmarshall(mapValues(map as Record<string, AttributeValue>, binary(fromBase64)));

/** Binary values travel as base64 in the JSON protocol (util-dynamodb works with bytes). */
const toBase64 = (b: unknown) => Buffer.from(b as Uint8Array).toString('base64');
const fromBase64 = (b: unknown) => new Uint8Array(Buffer.from(b as string, 'base64'));

function mapValues(
  map: Record<string, AttributeValue>,
  f: (v: AttributeValue) => AttributeValue,
): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, f(v)]));
}

/** Converts the binary members (B, BS) of an attribute value, inside maps and lists too. */
function binary(convert: (b: unknown) => unknown) {
  const each = (v: AttributeValue): AttributeValue => {
    if (v.B !== undefined) return { B: convert(v.B) } as AttributeValue;
    if (v.BS !== undefined) return { BS: v.BS.map(convert) } as AttributeValue;
    if (v.M !== undefined) return { M: mapValues(v.M, each) };
    if (v.L !== undefined) return { L: v.L.map(each) };
    return v;
  };
  return each;
}

function walk(
  value: unknown,
  maps: Set<string>,
  lists: Set<string>,
  convert: (map: unknown) => unknown,
): unknown {
  if (Array.isArray(value)) return value.map((v) => walk(v, maps, lists, convert));
  if (!value || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [name, member] of Object.entries(value as Json)) {
    if (member === undefined) continue;
    if (maps.has(name) && member && typeof member === 'object') out[name] = convert(member);
    else if (lists.has(name) && Array.isArray(member)) out[name] = member.map(convert);
    else out[name] = walk(member, maps, lists, convert);
  }
  return out;
}

/** A command's input as DynamoDB wants it. */
export function inputToWire(input: object): Json {
  return walk(input, MAPS_IN, LISTS_IN, toWire) as Json;
}

/**
 * DynamoDB's answer (or an error's extra fields) as documents. A batch get's `Responses` is a map of table name to
 * items; a transaction's `CancellationReasons` hold an `Item` each.
 */
export function outputFromWire(output: Json): Json {
  const out = walk(output, MAPS_OUT, LISTS_OUT, fromWire) as Json;
  const responses = output.Responses;
  if (responses && typeof responses === 'object' && !Array.isArray(responses)) {
    out.Responses = Object.fromEntries(
      Object.entries(responses as Record<string, unknown[]>).map(([table, items]) => [
        table,
        items.map(fromWire),
      ]),
    );
  }
  return out;
}
