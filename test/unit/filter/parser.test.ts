import { ScimError, type ScimType } from '../../../shared/scim/errors';
import type { AttrPath, Filter, FilterValue } from '../../../shared/scim/filter/ast';
import { formatFilter, formatPath, parseFilter, parsePath } from '../../../shared/scim/filter';

const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

// Small AST builders so the fixture tables stay readable.
const p = (attr: string, sub?: string, schema?: string): AttrPath => ({
  ...(schema === undefined ? {} : { schema }),
  attr,
  ...(sub === undefined ? {} : { sub }),
});
const eq = (path: AttrPath, value: FilterValue): Filter => ({ kind: 'compare', path, op: 'eq', value });
const cmp = (path: AttrPath, op: Extract<Filter, { kind: 'compare' }>['op'], value: FilterValue): Filter => ({
  kind: 'compare',
  path,
  op,
  value,
});
const pr = (path: AttrPath): Filter => ({ kind: 'present', path });
const and = (left: Filter, right: Filter): Filter => ({ kind: 'and', left, right });
const or = (left: Filter, right: Filter): Filter => ({ kind: 'or', left, right });
const not = (filter: Filter): Filter => ({ kind: 'not', filter });
const vp = (path: AttrPath, filter: Filter): Filter => ({ kind: 'valuePath', path, filter });

function scimErrorOf(action: () => unknown): ScimError {
  try {
    action();
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw new Error(`expected a ScimError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected a ScimError, nothing was thrown');
}

function expectScimError(action: () => unknown, scimType: ScimType, detail: string | RegExp): void {
  const error = scimErrorOf(action);
  expect(error.status).toBe(400);
  expect(error.scimType).toBe(scimType);
  expect(error.message).toMatch(detail);
}

/** RFC 7644 §3.4.2.2 example filters, in the order the RFC lists them. */
const RFC_FILTERS: [string, Filter][] = [
  ['userName eq "bjensen"', eq(p('userName'), 'bjensen')],
  ['name.familyName co "O\'Malley"', cmp(p('name', 'familyName'), 'co', "O'Malley")],
  ['userName sw "J"', cmp(p('userName'), 'sw', 'J')],
  [`${CORE_USER}:userName sw "J"`, cmp(p('userName', undefined, CORE_USER), 'sw', 'J')],
  ['title pr', pr(p('title'))],
  [
    'meta.lastModified gt "2011-05-13T04:42:34Z"',
    cmp(p('meta', 'lastModified'), 'gt', '2011-05-13T04:42:34Z'),
  ],
  [
    'meta.lastModified ge "2011-05-13T04:42:34Z"',
    cmp(p('meta', 'lastModified'), 'ge', '2011-05-13T04:42:34Z'),
  ],
  [
    'meta.lastModified lt "2011-05-13T04:42:34Z"',
    cmp(p('meta', 'lastModified'), 'lt', '2011-05-13T04:42:34Z'),
  ],
  [
    'meta.lastModified le "2011-05-13T04:42:34Z"',
    cmp(p('meta', 'lastModified'), 'le', '2011-05-13T04:42:34Z'),
  ],
  ['title pr and userType eq "Employee"', and(pr(p('title')), eq(p('userType'), 'Employee'))],
  ['title pr or userType eq "Intern"', or(pr(p('title')), eq(p('userType'), 'Intern'))],
  [`schemas eq "${ENTERPRISE}"`, eq(p('schemas'), ENTERPRISE)],
  [
    'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
    and(
      eq(p('userType'), 'Employee'),
      or(cmp(p('emails'), 'co', 'example.com'), cmp(p('emails', 'value'), 'co', 'example.org')),
    ),
  ],
  [
    'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
    and(
      cmp(p('userType'), 'ne', 'Employee'),
      not(or(cmp(p('emails'), 'co', 'example.com'), cmp(p('emails', 'value'), 'co', 'example.org'))),
    ),
  ],
  [
    'userType eq "Employee" and (emails.type eq "work")',
    and(eq(p('userType'), 'Employee'), eq(p('emails', 'type'), 'work')),
  ],
  [
    'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
    and(
      eq(p('userType'), 'Employee'),
      vp(p('emails'), and(eq(p('type'), 'work'), cmp(p('value'), 'co', '@example.com'))),
    ),
  ],
  [
    'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
    or(
      vp(p('emails'), and(eq(p('type'), 'work'), cmp(p('value'), 'co', '@example.com'))),
      vp(p('ims'), and(eq(p('type'), 'xmpp'), cmp(p('value'), 'co', '@foo.com'))),
    ),
  ],
  // §3.4.2.2: "Attribute names and attribute operators used in filters are case insensitive."
  ['userName Eq "john"', eq(p('userName'), 'john')],
  ['Username eq "john"', eq(p('Username'), 'john')],
  // RFC 7644 errata 7322: logical expressions and parentheses inside a value filter.
  [
    'emails[type eq "work" or (type eq "home" and value ew "@example.com")]',
    vp(
      p('emails'),
      or(eq(p('type'), 'work'), and(eq(p('type'), 'home'), cmp(p('value'), 'ew', '@example.com'))),
    ),
  ],
];

/** Filters from /work/shared/docs/idp-behaviour.md and the vendors' documentation. */
const IDP_FILTERS: [string, string, Filter][] = [
  [
    'Entra test connection (random GUID)',
    'userName eq "5b7a3c1e-0d5f-4f4e-9a43-6f1b2c3d4e5f"',
    eq(p('userName'), '5b7a3c1e-0d5f-4f4e-9a43-6f1b2c3d4e5f'),
  ],
  [
    'Entra test connection (unquoted GUID)',
    'userName eq 5b7a3c1e-0d5f-4f4e-9a43-6f1b2c3d4e5f',
    eq(p('userName'), '5b7a3c1e-0d5f-4f4e-9a43-6f1b2c3d4e5f'),
  ],
  [
    'Entra documented test user',
    'userName eq "Test_User_dfeef4c5-5681-4387-b016-bdf221e82081"',
    eq(p('userName'), 'Test_User_dfeef4c5-5681-4387-b016-bdf221e82081'),
  ],
  ['Entra group lookup', 'displayName eq "Group1DisplayName"', eq(p('displayName'), 'Group1DisplayName')],
  [
    'Entra externalId matching',
    'externalId eq "0a21f0f2-8d2a-4f8e"',
    eq(p('externalId'), '0a21f0f2-8d2a-4f8e'),
  ],
  [
    'Entra work e-mail matching',
    'emails[type eq "work"].value eq "user@contoso.com"',
    eq({ attr: 'emails', valueFilter: eq(p('type'), 'work'), sub: 'value' }, 'user@contoso.com'),
  ],
  [
    'Entra enterprise matching attribute',
    `${ENTERPRISE}:employeeNumber eq "701984"`,
    eq(p('employeeNumber', undefined, ENTERPRISE), '701984'),
  ],
  [
    'Entra core URN with a sub-attribute',
    `${CORE_USER}:name.givenName eq "Barbara"`,
    eq(p('name', 'givenName', CORE_USER), 'Barbara'),
  ],
  [
    'Entra eq joined with and',
    'userName eq "a@contoso.com" and externalId eq "a"',
    and(eq(p('userName'), 'a@contoso.com'), eq(p('externalId'), 'a')),
  ],
  ['Entra attribute names in any case', 'UserName EQ "x"', eq(p('UserName'), 'x')],
  ['Okta user lookup', 'userName eq "isaac.brock@example.com"', eq(p('userName'), 'isaac.brock@example.com')],
  ['Okta group lookup', 'displayName eq "Marketing"', eq(p('displayName'), 'Marketing')],
  [
    'Okta/Entra member filter',
    'members[value eq "2819c223-7f76-453a-919d-413861904646"]',
    vp(p('members'), eq(p('value'), '2819c223-7f76-453a-919d-413861904646')),
  ],
];

/** Keywords, values, whitespace and leniency. */
const OTHER_FILTERS: [string, Filter][] = [
  [
    'userName EQ "x" AND title PR OR NOT (title Pr)',
    or(and(eq(p('userName'), 'x'), pr(p('title'))), not(pr(p('title')))),
  ],
  ['active eq TRUE', eq(p('active'), true)],
  ['active eq False', eq(p('active'), false)],
  ['title eq NULL', eq(p('title'), null)],
  ['age gt 42', cmp(p('age'), 'gt', 42)],
  ['age ge -1.5e3', cmp(p('age'), 'ge', -1500)],
  ['age le 0', cmp(p('age'), 'le', 0)],
  ['age le -0', cmp(p('age'), 'le', 0)],
  ['age lt 0.25', cmp(p('age'), 'lt', 0.25)],
  ['employeeNumber eq 007', eq(p('employeeNumber'), '007')],
  ['userName eq a@b.c', eq(p('userName'), 'a@b.c')],
  ['userName ne "x"', cmp(p('userName'), 'ne', 'x')],
  ['userName ew "x"', cmp(p('userName'), 'ew', 'x')],
  ['userName eq "say \\"hi\\" \\\\ \\/ \\u00e9\\n\\t"', eq(p('userName'), 'say "hi" \\ / é\n\t')],
  ['userName eq ""', eq(p('userName'), '')],
  ['userName eq "and"', eq(p('userName'), 'and')],
  ['  userName\teq\n"x"  ', eq(p('userName'), 'x')],
  ['userName eq"x"', eq(p('userName'), 'x')],
  ['(userName eq "x")', eq(p('userName'), 'x')],
  ['((((userName pr))))', pr(p('userName'))],
  ['not(userName pr)', not(pr(p('userName')))],
  ['not userName pr and title pr', and(not(pr(p('userName'))), pr(p('title')))],
  ['not not (userName pr)', not(not(pr(p('userName'))))],
  ['not pr', pr(p('not'))],
  ['not eq "x"', eq(p('not'), 'x')],
  ['members[$ref eq "https://x/Users/1"]', vp(p('members'), eq(p('$ref'), 'https://x/Users/1'))],
  ['emails [type eq "work"]', vp(p('emails'), eq(p('type'), 'work'))],
  ['emails[not (type eq "work")]', vp(p('emails'), not(eq(p('type'), 'work')))],
  [
    'emails[type eq "work"].value pr',
    pr({ attr: 'emails', valueFilter: eq(p('type'), 'work'), sub: 'value' }),
  ],
  [`${ENTERPRISE}:manager[value eq "271"]`, vp(p('manager', undefined, ENTERPRISE), eq(p('value'), '271'))],
  ['URN:x:y:attr pr', pr(p('attr', undefined, 'URN:x:y'))],
];

describe('parseFilter', () => {
  it.each(RFC_FILTERS)('should parse the RFC 7644 example %s', (text, expected) => {
    expect(parseFilter(text)).toStrictEqual(expected);
  });

  it.each(IDP_FILTERS)('should parse the %s filter', (_name, text, expected) => {
    expect(parseFilter(text)).toStrictEqual(expected);
  });

  it.each(OTHER_FILTERS)('should parse %s', (text, expected) => {
    expect(parseFilter(text)).toStrictEqual(expected);
  });

  it('should bind not tighter than and, and and tighter than or', () => {
    const [a, b, c] = [pr(p('a')), pr(p('b')), pr(p('c'))];
    expect(parseFilter('a pr or b pr and c pr')).toStrictEqual(or(a, and(b, c)));
    expect(parseFilter('a pr and b pr or c pr')).toStrictEqual(or(and(a, b), c));
    expect(parseFilter('not (a pr) and b pr')).toStrictEqual(and(not(a), b));
    expect(parseFilter('not (a pr) or b pr and c pr')).toStrictEqual(or(not(a), and(b, c)));
    expect(parseFilter('a pr and (b pr or c pr)')).toStrictEqual(and(a, or(b, c)));
  });

  it('should associate chains of and / or to the left', () => {
    const [a, b, c] = [pr(p('a')), pr(p('b')), pr(p('c'))];
    expect(parseFilter('a pr and b pr and c pr')).toStrictEqual(and(and(a, b), c));
    expect(parseFilter('a pr or b pr or c pr')).toStrictEqual(or(or(a, b), c));
  });

  it('should accept nesting up to 32 levels', () => {
    const text = `${'('.repeat(32)}userName pr${')'.repeat(32)}`;
    expect(parseFilter(text)).toStrictEqual(pr(p('userName')));
  });

  it('should format every fixture back to text that parses to the same AST', () => {
    const all = [
      ...RFC_FILTERS,
      ...OTHER_FILTERS,
      ...IDP_FILTERS.map(([, text, ast]) => [text, ast] as const),
    ];
    for (const [, ast] of all) {
      expect(parseFilter(formatFilter(ast))).toStrictEqual(ast);
    }
  });

  it('should format with the minimum of parentheses', () => {
    expect(formatFilter(parseFilter('(a pr or b pr) and not (c pr) and d eq "x"'))).toBe(
      '(a pr or b pr) and not (c pr) and d eq "x"',
    );
    expect(formatFilter(parseFilter('a pr and (b pr and c pr)'))).toBe('a pr and (b pr and c pr)');
    expect(formatFilter(parseFilter('emails[type eq "work"].value eq "a@b.c"'))).toBe(
      'emails[type eq "work"].value eq "a@b.c"',
    );
  });
});

/** Invalid filters: [text, part of the detail]. */
const INVALID_FILTERS: [string, string | RegExp][] = [
  ['', 'the filter is empty'],
  ['   ', 'the filter is empty'],
  ['userName', "expected an operator after 'userName' at the end of the filter"],
  ['userName "x"', "expected an operator after 'userName' at position 9, found '\"x\"'"],
  ['userName equals "x"', "expected an operator after 'userName' at position 9, found 'equals'"],
  ['userName eq', "expected a value after 'eq' at the end of the filter"],
  ['userName eq and', "expected a value after 'eq' at position 12, found 'and'"],
  ['userName eq (', "expected a value after 'eq' at position 12, found '('"],
  ['userName eq "x', 'unterminated string starting at position 12'],
  ['userName eq "\\q"', "invalid escape '\\q'"],
  ['userName eq "\\u12"', "invalid escape '\\u'"],
  ['userName eq 1e400', "number '1e400' is out of range at position 12"],
  ['(userName pr', "expected ')' at the end of the filter to close the '(' at position 0"],
  ['userName pr)', "unexpected ')' at position 11; expected 'and', 'or' or the end of the filter"],
  ['userName eq "x" title', "unexpected 'title' at position 16"],
  ['emails[type eq "work"', "expected ']' at the end of the filter to close the '[' at position 6"],
  ['emails[type eq "work"]]', "unexpected ']' at position 22"],
  ['emails[type eq "work"] .value eq "x"', "unexpected '.value' at position 23"],
  ['emails[type eq "work"] eq "x"', "unexpected 'eq' at position 23"],
  ['emails[type[value eq "x"] pr]', 'value filters cannot be nested at position 11'],
  ['name.givenName[value eq "x"]', "a value filter cannot follow the sub-attribute in 'name.givenName'"],
  ['and userName pr', "expected an attribute path or '(' at position 0, found 'and'"],
  ['userName pr and', "expected an attribute path or '(' at the end of the filter, found nothing"],
  ['userName pr or or title pr', "expected an attribute path or '(' at position 15, found 'or'"],
  ['"userName" eq "x"', "expected an attribute path or '(' at position 0, found '\"userName\"'"],
  ['()', "expected an attribute path or '(' at position 1, found ')'"],
  ['not ()', "expected an attribute path or '(' at position 5, found ')'"],
  ['[type eq "x"]', "expected an attribute path or '(' at position 0, found '['"],
  ['not', "expected an operator after 'not' at the end of the filter"],
  ['a.b.c pr', "invalid attribute path 'a.b.c' at position 0: at most one sub-attribute"],
  ['1abc pr', "invalid attribute name '1abc'"],
  ['user*name pr', "invalid attribute name 'user*name'"],
  ['name. pr', "invalid attribute name ''"],
  ['http://example.com:attr pr', "invalid attribute name 'http://example' in 'http://example.com:attr'"],
  [`${CORE_USER}: pr`, 'expected an attribute name after the schema URN'],
  ['__proto__ eq "x"', "attribute name '__proto__' is not allowed at position 0"],
  ['constructor pr', "attribute name 'constructor' is not allowed"],
  ['name.prototype pr', "attribute name 'prototype' is not allowed"],
  [`${ENTERPRISE}:__proto__ pr`, "attribute name '__proto__' is not allowed"],
  ['emails[__proto__ pr]', "attribute name '__proto__' is not allowed at position 7"],
  ['emails[type eq "x"].constructor eq "y"', "attribute name 'constructor' is not allowed at position 19"],
  ['x'.repeat(10_001), 'the filter is longer than 10000 characters'],
  [
    `${'('.repeat(33)}userName pr${')'.repeat(33)}`,
    'the filter is nested deeper than 32 levels at position 32',
  ],
  [`${'not '.repeat(33)}userName pr`, 'nested deeper than 32 levels'],
];

describe('parseFilter errors', () => {
  it.each(INVALID_FILTERS)('should reject %j as invalidFilter', (text, detail) => {
    expectScimError(() => parseFilter(text), 'invalidFilter', detail);
  });

  it('should not echo a long input in the detail', () => {
    const error = scimErrorOf(() => parseFilter(`userName eq "x" ${'y'.repeat(5000)}`));
    expect(error.message.length).toBeLessThan(200);
  });
});

/** RFC 7644 §3.5.2 PATCH paths and the ones Entra and Okta send. */
const PATHS: [string, AttrPath][] = [
  ['members', p('members')],
  ['name.familyName', p('name', 'familyName')],
  ['addresses[type eq "work"]', { attr: 'addresses', valueFilter: eq(p('type'), 'work') }],
  [
    'members[value eq "2819c223-7f76-453a-919d-413861904646"]',
    { attr: 'members', valueFilter: eq(p('value'), '2819c223-7f76-453a-919d-413861904646') },
  ],
  [
    'members[value eq "2819c223-7f76-453a-919d-413861904646"].displayName',
    {
      attr: 'members',
      valueFilter: eq(p('value'), '2819c223-7f76-453a-919d-413861904646'),
      sub: 'displayName',
    },
  ],
  [
    'emails[type eq "work" and value ew "example.com"]',
    { attr: 'emails', valueFilter: and(eq(p('type'), 'work'), cmp(p('value'), 'ew', 'example.com')) },
  ],
  ['emails[type eq "work"].value', { attr: 'emails', valueFilter: eq(p('type'), 'work'), sub: 'value' }],
  ['active', p('active')],
  ['Active', p('Active')],
  [`${ENTERPRISE}:department`, p('department', undefined, ENTERPRISE)],
  [`${ENTERPRISE}:manager`, p('manager', undefined, ENTERPRISE)],
  [`${ENTERPRISE}:manager.value`, p('manager', 'value', ENTERPRISE)],
  [`${CORE_USER}:name.givenName`, p('name', 'givenName', CORE_USER)],
  [
    `${CORE_USER}:emails[type eq "work"].value`,
    { schema: CORE_USER, attr: 'emails', valueFilter: eq(p('type'), 'work'), sub: 'value' },
  ],
  ['  name.givenName  ', p('name', 'givenName')],
];

const INVALID_PATHS: [string, string | RegExp][] = [
  ['', 'the path is empty'],
  ['members eq "x"', "unexpected 'eq' at position 8; expected the end of the path"],
  ['members[value eq "x"', "expected ']' at the end of the path to close the '[' at position 7"],
  ['members[value eq "x"] x', "unexpected 'x' at position 22"],
  ['members[value]', "expected an operator after 'value' at position 13"],
  ['members[]', "expected an attribute path or '(' at position 8, found ']'"],
  ['a.b.c', 'at most one sub-attribute'],
  ['name.givenName[value eq "x"]', 'a value filter cannot follow the sub-attribute'],
  ['[value eq "x"]', "expected an attribute path at position 0, found '['"],
  ['"members"', 'expected an attribute path at position 0, found \'"members"\''],
  ['__proto__', "attribute name '__proto__' is not allowed"],
  ['name.constructor', "attribute name 'constructor' is not allowed"],
  ['members[value eq "x"].prototype', "attribute name 'prototype' is not allowed"],
  [`${ENTERPRISE}:__proto__`, "attribute name '__proto__' is not allowed"],
  ['x'.repeat(10_001), 'the path is longer than 10000 characters'],
];

describe('parsePath', () => {
  it.each(PATHS)('should parse the path %s', (text, expected) => {
    expect(parsePath(text)).toStrictEqual(expected);
  });

  it.each(INVALID_PATHS)('should reject the path %j as invalidPath', (text, detail) => {
    expectScimError(() => parsePath(text), 'invalidPath', detail);
  });

  it('should format every path back to text that parses to the same path', () => {
    for (const [, path] of PATHS) {
      expect(parsePath(formatPath(path))).toStrictEqual(path);
    }
  });
});
