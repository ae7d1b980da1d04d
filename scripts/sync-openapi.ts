/**
 * Writes the zod schemas' shape into docs/openapi.json: for each component below, the types, properties, required
 * lists, enums, unions and numeric, length and item bounds come from the schema (shared/domain/credential-schemas.ts
 * and shared/domain/events/model.ts, the one source); descriptions, examples, patterns and `$ref`s stay the document's own. `npm run openapi` runs it;
 * test/unit/openapi-schemas.test.ts fails when the document and the schemas disagree.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as z from 'zod/mini';
import { OPENAPI_COMPONENTS } from './openapi-components';

type Json = Record<string, unknown>;
const SHAPE_KEYS = [
  'type',
  'enum',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
] as const;
const SAFE = Number.MAX_SAFE_INTEGER;

/** Copies the shape of `source` (zod's JSON Schema) onto `target` (the document's node), keeping its prose. */
function merge(target: Json, source: Json): Json {
  if (typeof target.$ref === 'string') return target;
  const union = source.anyOf ?? source.oneOf;
  if (union) {
    const prose = pick(target, ['description', 'examples', 'example']);
    const current = (target.anyOf ?? target.oneOf ?? []) as Json[];
    return {
      ...prose,
      anyOf: (union as Json[]).map((option, i) => merge({ ...(current[i] ?? {}) }, option)),
    };
  }
  const out: Json = { ...target };
  delete out.anyOf;
  delete out.oneOf;
  for (const key of SHAPE_KEYS) {
    const value = source[key];
    if (value === undefined || (typeof value === 'number' && Math.abs(value) === SAFE)) delete out[key];
    else out[key] = value;
  }
  if (source.items) out.items = merge((target.items as Json | undefined) ?? {}, source.items as Json);
  if (source.properties) {
    const current = (target.properties as Record<string, Json> | undefined) ?? {};
    const props = source.properties as Record<string, Json>;
    out.properties = Object.fromEntries(
      Object.keys(props).map((k) => [k, merge({ ...(current[k] ?? {}) }, props[k]!)]),
    );
    const required = (source.required as string[] | undefined) ?? [];
    if (required.length) out.required = required;
    else delete out.required;
  }
  return out;
}

function pick(node: Json, keys: string[]): Json {
  return Object.fromEntries(keys.filter((k) => node[k] !== undefined).map((k) => [k, node[k]]));
}

const path = new URL('../docs/openapi.json', import.meta.url);
const doc = JSON.parse(readFileSync(path, 'utf8')) as { components: { schemas: Record<string, Json> } };
for (const [name, { schema, io }] of Object.entries(OPENAPI_COMPONENTS)) {
  const generated = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  doc.components.schemas[name] = merge(doc.components.schemas[name] ?? {}, generated);
}
writeFileSync(path, `${JSON.stringify(doc, null, 2)}\n`);
console.log(
  `docs/openapi.json: ${Object.keys(OPENAPI_COMPONENTS).length} components written from the zod schemas`,
);
