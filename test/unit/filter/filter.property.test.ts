import fc from 'fast-check';
import { ScimError, type ScimType } from '../../../shared/scim/errors';
import type { AttrPath, CompareOp, Filter, FilterValue } from '../../../shared/scim/filter/ast';
import { compileFilter, formatFilter, formatPath, parseFilter, parsePath } from '../../../shared/scim/filter';
import { CORE, ENTERPRISE, resolve } from './user-schema';

/** Runs `action`; it may succeed, or fail with a ScimError of `scimType`, but never with anything else. */
function onlyScimErrors<T>(action: () => T, scimType: ScimType): T | undefined {
  try {
    return action();
  } catch (error) {
    expect(error).toBeInstanceOf(ScimError);
    expect((error as ScimError).scimType).toBe(scimType);
    return undefined;
  }
}

function scimErrorOf(action: () => unknown): ScimError | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    return error instanceof ScimError ? error : undefined;
  }
}

// ----- (a) arbitrary input never escapes as anything but a ScimError ------------------------------------------

/** Fragments that steer random text into the parser's interesting corners. */
const FRAGMENTS = [
  'userName',
  'emails',
  'name.givenName',
  'value',
  '.value',
  '.',
  ':',
  `${CORE}:`,
  `${ENTERPRISE}:manager`,
  'urn:',
  'eq',
  'EQ',
  'co',
  'gt',
  'pr',
  'and',
  'Or',
  'not',
  'NOT',
  '(',
  ')',
  '[',
  ']',
  '"',
  '"x"',
  '"a\\"b"',
  '\\',
  '\\u00',
  '\\u00e9',
  '1',
  '-1.5e3',
  '1e999',
  '007',
  'true',
  'null',
  ' ',
  '\t',
  '__proto__',
  'constructor',
  '$ref',
  'é',
  '\u0000',
  '\ud800',
];
const soup = fc.oneof(
  fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 30 }).map((parts) => parts.join(' ')),
  fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 30 }).map((parts) => parts.join('')),
);
const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 120 }), fc.string({ maxLength: 120 }), soup);

describe('parser robustness', () => {
  it('should throw nothing but invalidFilter for arbitrary filter text', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        onlyScimErrors(() => parseFilter(text), 'invalidFilter');
      }),
      { numRuns: 1500 },
    );
  });

  it('should throw nothing but invalidPath for arbitrary path text', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        onlyScimErrors(() => parsePath(text), 'invalidPath');
      }),
      { numRuns: 1500 },
    );
  });

  it('should round-trip whatever it accepts through formatFilter', () => {
    fc.assert(
      fc.property(soup, (text) => {
        const parsed = onlyScimErrors(() => parseFilter(text), 'invalidFilter');
        const again = parsed === undefined ? undefined : parseFilter(formatFilter(parsed));
        expect(again).toStrictEqual(parsed);
      }),
      { numRuns: 1500 },
    );
  });
});

// ----- (b) random ASTs round-trip through formatFilter and parseFilter ----------------------------------------

const RESERVED = new Set(['and', 'or', '__proto__', 'constructor', 'prototype']);
const attrName = fc
  .stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,8}$/)
  .filter((name) => !RESERVED.has(name.toLowerCase()));
const subName = fc.oneof(attrName, fc.constant('$ref'));
const schemaUrn = fc.oneof(
  fc.constantFrom(CORE, ENTERPRISE, 'urn:ietf:params:scim:schemas:core:2.0:Group', 'URN:Example:1.0'),
  fc.stringMatching(/^urn:[A-Za-z0-9.:_-]{1,30}$/),
);
const ops: CompareOp[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];
const value: fc.Arbitrary<FilterValue> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n)),
  fc.boolean(),
  fc.constant(null),
);

const simplePath: fc.Arbitrary<AttrPath> = fc
  .record({
    schema: fc.option(schemaUrn, { nil: undefined }),
    attr: attrName,
    sub: fc.option(subName, { nil: undefined }),
  })
  .map(({ schema, attr, sub }) => ({
    ...(schema === undefined ? {} : { schema }),
    attr,
    ...(sub === undefined ? {} : { sub }),
  }));
const headPath: fc.Arbitrary<AttrPath> = fc
  .record({ schema: fc.option(schemaUrn, { nil: undefined }), attr: attrName })
  .map(({ schema, attr }) => (schema === undefined ? { attr } : { schema, attr }));

/** Attribute expressions over `path`: `pr` or a comparison. */
function attrExp(path: fc.Arbitrary<AttrPath>): fc.Arbitrary<Filter> {
  return fc.oneof(
    path.map((p): Filter => ({ kind: 'present', path: p })),
    fc
      .tuple(path, fc.constantFrom(...ops), value)
      .map(([p, op, v]): Filter => ({ kind: 'compare', path: p, op, value: v })),
  );
}

/** Logical trees over `leaf` (and/or/not), at most `maxDepth` deep. */
function logical(leaf: fc.Arbitrary<Filter>, maxDepth: number): fc.Arbitrary<Filter> {
  return fc.letrec<{ node: Filter }>((tie) => ({
    node: fc.oneof(
      { maxDepth, depthSize: 'small' },
      leaf,
      fc.tuple(tie('node'), tie('node')).map(([left, right]): Filter => ({ kind: 'and', left, right })),
      fc.tuple(tie('node'), tie('node')).map(([left, right]): Filter => ({ kind: 'or', left, right })),
      tie('node').map((filter): Filter => ({ kind: 'not', filter })),
    ),
  })).node;
}

/** Inside `[...]`: no nested value filters (RFC 7644 errata 4690). */
const valFilter = logical(attrExp(simplePath), 3);
const filteredPath: fc.Arbitrary<AttrPath> = fc
  .tuple(headPath, valFilter, subName)
  .map(([head, valueFilter, sub]) => ({ ...head, valueFilter, sub }));
const valuePath = fc
  .tuple(headPath, valFilter)
  .map(([path, filter]): Filter => ({ kind: 'valuePath', path, filter }));
const filterAst = logical(fc.oneof(attrExp(simplePath), attrExp(filteredPath), valuePath), 4);

const patchPath: fc.Arbitrary<AttrPath> = fc.oneof(
  simplePath,
  fc.tuple(headPath, valFilter).map(([head, valueFilter]) => ({ ...head, valueFilter })),
  filteredPath,
);

describe('formatFilter / parseFilter round trip', () => {
  it('should parse a formatted AST back to the same AST', () => {
    fc.assert(
      fc.property(filterAst, (ast) => {
        expect(parseFilter(formatFilter(ast))).toStrictEqual(ast);
      }),
      { numRuns: 500 },
    );
  });

  it('should parse a formatted PATCH path back to the same path', () => {
    fc.assert(
      fc.property(patchPath, (path) => {
        expect(parsePath(formatPath(path))).toStrictEqual(path);
      }),
      { numRuns: 300 },
    );
  });
});

// ----- evaluation never throws on well-formed filters over the test schema, whatever the stored JSON ------------

const KNOWN_ATTRS = [
  'id',
  'userName',
  'name',
  'emails',
  'active',
  'meta',
  'loginCount',
  'score',
  'x509Certificates',
];
const KNOWN_EXTENSION_ATTRS = ['employeeNumber', 'manager'];
const KNOWN_SUBS = [
  'givenName',
  'familyName',
  'value',
  'type',
  'primary',
  'created',
  'lastModified',
  'displayName',
];
/** Paths of the test schema (and one unknown attribute), in random case: resolution is case-insensitive. */
const KNOWN_PATHS: AttrPath[] = [
  { attr: 'id' },
  { attr: 'userName' },
  { attr: 'name' },
  { attr: 'name', sub: 'givenName' },
  { attr: 'name', sub: 'familyName' },
  { attr: 'emails' },
  { attr: 'emails', sub: 'value' },
  { attr: 'emails', sub: 'type' },
  { attr: 'emails', sub: 'primary' },
  { attr: 'active' },
  { attr: 'meta', sub: 'created' },
  { attr: 'meta', sub: 'lastModified' },
  { attr: 'loginCount' },
  { attr: 'score' },
  { attr: 'x509Certificates', sub: 'value' },
  { attr: 'employeeNumber' },
  { schema: ENTERPRISE, attr: 'manager' },
  { schema: ENTERPRISE, attr: 'manager', sub: 'value' },
  { attr: 'nickName' },
];
const anyCase = (name: string, upper: boolean) => (upper ? name.toUpperCase() : name);
const schemaPath: fc.Arbitrary<AttrPath> = fc
  .tuple(fc.constantFrom(...KNOWN_PATHS), fc.boolean())
  .map(([path, upper]) => ({
    ...path,
    attr: anyCase(path.attr, upper),
    ...(path.sub === undefined ? {} : { sub: anyCase(path.sub, upper) }),
  }));
const schemaValue: fc.Arbitrary<FilterValue> = fc.oneof(
  value,
  fc.constantFrom('2011-05-13T04:42:34Z', '2011-05-13', 'True', 'false', '42', 'work', 'bjensen@example.com'),
);
const schemaLeaf = fc.oneof(
  schemaPath.map((p): Filter => ({ kind: 'present', path: p })),
  fc
    .tuple(schemaPath, fc.constantFrom(...ops), schemaValue)
    .map(([p, op, v]): Filter => ({ kind: 'compare', path: p, op, value: v })),
);
const innerLeaf = fc.oneof(
  fc
    .constantFrom('value', 'TYPE', 'primary', 'display')
    .map((attr): Filter => ({ kind: 'present', path: { attr } })),
  fc
    .tuple(fc.constantFrom('value', 'Type', 'primary'), fc.constantFrom(...ops), schemaValue)
    .map(([attr, op, v]): Filter => ({ kind: 'compare', path: { attr }, op, value: v })),
);
const schemaFilter = logical(
  fc.oneof(
    schemaLeaf,
    fc
      .tuple(fc.constantFrom('emails', 'name', 'userName'), logical(innerLeaf, 2))
      .map(([attr, filter]): Filter => ({ kind: 'valuePath', path: { attr }, filter })),
    fc
      .tuple(logical(innerLeaf, 2), fc.constantFrom('value', 'type'), fc.constantFrom(...ops), schemaValue)
      .map(([valueFilter, sub, op, v]): Filter => ({
        kind: 'compare',
        path: { attr: 'emails', valueFilter, sub },
        op,
        value: v,
      })),
  ),
  3,
);

const storedLeaf = fc.oneof(
  fc.jsonValue({ maxDepth: 1 }),
  fc.double(),
  fc.constantFrom('2011-05-13T04:42:34Z', 'not a date', 'True', '42', ''),
);
const storedElement = fc.dictionary(fc.constantFrom(...KNOWN_SUBS, '__proto__'), storedLeaf, { maxKeys: 4 });
const storedValue = fc.oneof(
  storedLeaf,
  storedElement,
  fc.array(fc.oneof(storedElement, storedLeaf), { maxLength: 3 }),
);
const storedResource = fc.dictionary(
  fc.constantFrom(...KNOWN_ATTRS, ENTERPRISE),
  fc.oneof(
    storedValue,
    fc.dictionary(fc.constantFrom(...KNOWN_EXTENSION_ATTRS), storedValue, { maxKeys: 2 }),
  ),
  { maxKeys: 6 },
);

describe('evaluation robustness', () => {
  it('should either reject a filter as invalidFilter or evaluate it to a boolean on any stored JSON', () => {
    fc.assert(
      fc.property(schemaFilter, fc.array(storedResource, { maxLength: 4 }), (filter, resources) => {
        const predicate = onlyScimErrors(() => compileFilter(filter, resolve), 'invalidFilter');
        if (predicate === undefined) return;
        for (const resource of resources) expect(typeof predicate(resource)).toBe('boolean');
      }),
      { numRuns: 700 },
    );
  });

  it('should make not the exact complement of its operand', () => {
    fc.assert(
      fc.property(schemaFilter, storedResource, (filter, resource) => {
        const predicate = onlyScimErrors(() => compileFilter(filter, resolve), 'invalidFilter');
        if (predicate === undefined) return;
        const negated = compileFilter({ kind: 'not', filter }, resolve);
        expect(negated(resource)).toBe(!predicate(resource));
      }),
      { numRuns: 300 },
    );
  });
});

// ----- (c) deep nesting and long input fail fast ---------------------------------------------------------------

/** Generous bound: these inputs must be rejected in linear time, never by exhausting the stack. */
const QUICK_MS = 250;

function expectQuickInvalidFilter(text: string, detail: string): void {
  const started = performance.now();
  const error = scimErrorOf(() => parseFilter(text));
  const elapsed = performance.now() - started;
  expect(error?.scimType).toBe('invalidFilter');
  expect(error?.message).toContain(detail);
  expect(elapsed).toBeLessThan(QUICK_MS);
}

describe('limits', () => {
  const depth = fc.integer({ min: 33, max: 4000 });

  it('should reject deeply nested parentheses quickly', () => {
    fc.assert(
      fc.property(depth, (n) => {
        const text = `${'('.repeat(n)}userName pr${')'.repeat(n)}`;
        expectQuickInvalidFilter(
          text,
          text.length > 10_000 ? 'longer than 10000' : 'nested deeper than 32 levels',
        );
      }),
      { numRuns: 50 },
    );
  });

  it('should reject long chains of not, with or without parentheses, quickly', () => {
    fc.assert(
      fc.property(depth, fc.boolean(), (n, parenthesised) => {
        const text = parenthesised
          ? `${'not ('.repeat(n)}userName pr${')'.repeat(n)}`
          : `${'not '.repeat(n)}userName pr`;
        expectQuickInvalidFilter(
          text,
          text.length > 10_000 ? 'longer than 10000' : 'nested deeper than 32 levels',
        );
      }),
      { numRuns: 50 },
    );
  });

  it('should reject unclosed openers quickly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9_000 }),
        fc.constantFrom('(', 'emails[', 'not ('),
        (n, opener) => {
          const text = opener.repeat(Math.floor(n / opener.length));
          expect(scimErrorOf(() => parseFilter(text))?.scimType).toBe('invalidFilter');
        },
      ),
      { numRuns: 50 },
    );
  });

  it('should reject input longer than 10 000 characters quickly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10_001, max: 200_000 }),
        fc.constantFrom('a pr and ', '(', 'x', '"'),
        (n, unit) => {
          const text = unit.repeat(Math.ceil(n / unit.length));
          expectQuickInvalidFilter(text, 'longer than 10000 characters');
          expect(scimErrorOf(() => parsePath(text))?.scimType).toBe('invalidPath');
        },
      ),
      { numRuns: 30 },
    );
  });

  it('should accept nesting up to the limit and input up to 10 000 characters', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 32 }), fc.integer({ min: 0, max: 9_980 }), (n, length) => {
        expect(parseFilter(`${'('.repeat(n)}userName pr${')'.repeat(n)}`).kind).toBe('present');
        const text = `userName eq "${'x'.repeat(length)}"`;
        expect(parseFilter(text)).toStrictEqual({
          kind: 'compare',
          path: { attr: 'userName' },
          op: 'eq',
          value: 'x'.repeat(length),
        });
      }),
      { numRuns: 30 },
    );
  });
});
