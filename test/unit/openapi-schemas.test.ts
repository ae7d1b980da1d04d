/**
 * docs/openapi.json is held to the zod schemas, the one source of the management API's shapes
 * (shared/domain/credential-schemas.ts): for every request body and stored/response shape, the same properties,
 * the same required ones, the same types, enums and numeric and length bounds. Descriptions, examples and string
 * patterns are the document's own. zod's JSON Schema export works on zod/mini schemas, so no classic zod here.
 */
import * as z from 'zod/mini';
import openApi from '../../docs/openapi.json' with { type: 'json' };
import * as schemas from '../../shared/domain/credential-schemas';
import { OPENAPI_COMPONENTS } from '../../scripts/openapi-components';

type Json = Record<string, unknown>;
const components = (openApi as { components: { schemas: Record<string, Json> } }).components.schemas;

function resolve(node: Json): Json {
  const ref = node.$ref;
  if (typeof ref === 'string') return resolve(components[ref.replace('#/components/schemas/', '')]!);
  return node;
}

const SAFE = Number.MAX_SAFE_INTEGER;

/** The comparable core of a JSON Schema: types, properties, required, enums, bounds, unions and items. */
function shape(input: Json): unknown {
  const node = resolve(input);
  const out: Json = {};
  const union = (node.oneOf ?? node.anyOf) as Json[] | undefined;
  if (union) return { anyOf: union.map(shape) };
  let type = node.type;
  if (Array.isArray(type)) type = [...type].sort();
  if (type !== undefined) out.type = type;
  if (node.enum) out.enum = [...(node.enum as string[])].sort();
  for (const key of ['minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems'] as const) {
    const v = node[key];
    if (typeof v === 'number' && Math.abs(v) !== SAFE) out[key] = v;
  }
  if (node.items) out.items = shape(node.items as Json);
  if (node.properties) {
    const props = node.properties as Record<string, Json>;
    out.properties = Object.fromEntries(
      Object.keys(props)
        .sort()
        .map((k) => [k, shape(props[k]!)]),
    );
    out.required = [...((node.required as string[] | undefined) ?? [])].sort();
  }
  return out;
}

function fromZod(schema: z.ZodMiniType, io: 'input' | 'output'): unknown {
  return shape(z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json);
}

describe('docs/openapi.json and the zod schemas', () => {
  it.each(Object.entries(OPENAPI_COMPONENTS))(
    'should describe %s as its schema does',
    (name, { schema, io }) => {
      // After changing a schema, `npm run openapi` writes its shape into the document.
      expect(shape(components[name]!)).toEqual(fromZod(schema, io));
    },
  );

  it('should state the one access token lifetime bound everywhere it appears', () => {
    const bounds = { minimum: schemas.ACCESS_TOKEN_TTL.min, maximum: schemas.ACCESS_TOKEN_TTL.max };
    for (const name of ['TenantPolicy', 'TenantPolicyPatch', 'IssueCredentialRequest']) {
      const props = components[name]!.properties as Record<string, Json>;
      expect(props.accessTokenTtlSeconds).toMatchObject(bounds);
    }
  });
});
