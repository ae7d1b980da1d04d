import { ScimError, type ScimType } from '../../../shared/scim/errors';
import type { Filter } from '../../../shared/scim/filter/ast';
import {
  compileFilter,
  evaluateFilter,
  parseDateTime,
  parseFilter,
  parsePath,
  resolvePath,
  validateFilter,
} from '../../../shared/scim/filter';
import { CORE, ENTERPRISE, resolve } from './user-schema';

const BJENSEN: Record<string, unknown> = {
  schemas: [CORE, ENTERPRISE],
  id: '2819c223-7f76-453a-919d-413861904646',
  userName: 'bjensen@example.com',
  name: { givenName: 'Barbara', familyName: "O'Malley" },
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  active: true,
  loginCount: 42,
  score: 3.5,
  meta: { created: '2010-01-23T04:56:22Z', lastModified: '2011-05-13T04:42:34Z' },
  [ENTERPRISE]: {
    employeeNumber: '701984',
    manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d', displayName: 'John Smith' },
  },
};

const MINIMAL: Record<string, unknown> = { id: 'min-1', userName: 'minimal', active: false };

const matches = (filter: string, resource: Record<string, unknown> = BJENSEN): boolean =>
  evaluateFilter(parseFilter(filter), resource, resolve);

function expectScimError(action: () => unknown, scimType: ScimType, detail: string): void {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ScimError);
  expect((caught as ScimError).scimType).toBe(scimType);
  expect((caught as ScimError).message).toContain(detail);
}

describe('evaluateFilter', () => {
  describe('eq', () => {
    it.each([
      ['userName eq "bjensen@example.com"', true],
      ['userName eq "BJensen@Example.COM"', true],
      ['UserName EQ "bjensen@example.com"', true],
      [`${CORE}:userName eq "bjensen@example.com"`, true],
      ['userName eq "bjensen"', false],
      ['id eq "2819c223-7f76-453a-919d-413861904646"', true],
      ['id eq "2819C223-7F76-453A-919D-413861904646"', false],
      ['name.givenName eq "barbara"', true],
      ['NAME.GIVENNAME eq "Barbara"', true],
      ['name.familyName eq "Jensen"', false],
      ['emails.value eq "babs@jensen.org"', true],
      ['emails.type eq "other"', false],
      ['emails eq "BABS@jensen.org"', true],
      ['active eq true', true],
      ['active eq false', false],
      ['active eq "True"', true],
      ['loginCount eq 42', true],
      ['loginCount eq "42"', true],
      ['loginCount eq 41', false],
      ['score eq 3.5', true],
      [`${ENTERPRISE}:employeeNumber eq "701984"`, true],
      ['employeeNumber eq "701984"', true],
      ['employeeNumber eq 701984', true],
      [`${ENTERPRISE}:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`, true],
      [`${ENTERPRISE}:manager eq "26118915-6090-4610-87e4-49d8ca9f808d"`, true],
      ['meta.created eq "2010-01-23T04:56:22.000Z"', true],
      ['meta.created eq "2010-01-23T05:56:22+01:00"', true],
      ['meta.created eq "2010-01-23T04:56:23Z"', false],
    ])('should evaluate %s to %s', (filter, expected) => {
      expect(matches(filter)).toBe(expected);
    });

    it('should not match a missing attribute', () => {
      expect(matches('name.givenName eq "Barbara"', MINIMAL)).toBe(false);
      expect(matches('employeeNumber eq "701984"', MINIMAL)).toBe(false);
    });
  });

  describe('ne', () => {
    it.each([
      ['userName ne "someone"', true],
      ['userName ne "BJENSEN@example.com"', false],
      ['id ne "2819C223-7F76-453A-919D-413861904646"', true],
      ['emails.type ne "work"', true],
      ['active ne true', false],
      ['loginCount ne 42', false],
    ])('should evaluate %s to %s', (filter, expected) => {
      expect(matches(filter)).toBe(expected);
    });

    it('should be true on a missing attribute', () => {
      expect(matches('name.familyName ne "Jensen"', MINIMAL)).toBe(true);
      expect(matches('employeeNumber ne "701984"', MINIMAL)).toBe(true);
      expect(matches('emails.value ne "x"', MINIMAL)).toBe(true);
    });
  });

  describe('co, sw, ew', () => {
    it.each([
      ['userName co "JENSEN"', true],
      ['userName co "smith"', false],
      ['userName sw "BJen"', true],
      ['userName sw "jensen"', false],
      ['userName ew "EXAMPLE.COM"', true],
      ['userName ew "example"', false],
      ['id co "7f76"', true],
      ['id co "7F76"', false],
      ['id sw "2819C223"', false],
      ['name.familyName co "O\'Malley"', true],
      ['emails co "jensen.org"', true],
      ['emails.value ew "@example.com"', true],
      ['userName co ""', true],
    ])('should evaluate %s to %s', (filter, expected) => {
      expect(matches(filter)).toBe(expected);
    });
  });

  describe('gt, ge, lt, le', () => {
    it.each([
      ['meta.lastModified gt "2011-05-13T04:42:33Z"', true],
      ['meta.lastModified gt "2011-05-13T04:42:34Z"', false],
      ['meta.lastModified ge "2011-05-13T04:42:34Z"', true],
      ['meta.lastModified lt "2011-05-13T04:42:35Z"', true],
      ['meta.lastModified lt "2011-05-13T04:42:34Z"', false],
      ['meta.lastModified le "2011-05-13T04:42:34Z"', true],
      ['meta.lastModified gt "2011-05-13T06:42:34+02:00"', false],
      ['meta.lastModified ge "2011-05-13T06:42:34+02:00"', true],
      ['meta.lastModified lt "2011-05-13T04:42:34.001Z"', true],
      ['meta.lastModified gt "2011-05-13"', true],
      ['meta.lastModified lt "2011-05-14"', true],
      ['meta.created lt "2011-05-13T04:42:34Z" and meta.lastModified gt "2011-01-01T00:00:00Z"', true],
      ['loginCount gt 41', true],
      ['loginCount gt 42', false],
      ['loginCount ge 42', true],
      ['loginCount lt 42', false],
      ['loginCount le 42.0', true],
      ['loginCount lt "100"', true],
      ['score gt 3.25', true],
      ['score lt 3.5', false],
      ['userName gt "A"', true],
      ['userName lt "C"', true],
      ['userName lt "b"', false],
      ['id gt "1"', true],
    ])('should evaluate %s to %s', (filter, expected) => {
      expect(matches(filter)).toBe(expected);
    });

    it('should compare dateTimes as instants, not as text', () => {
      const resource = { meta: { lastModified: '2011-05-13T06:42:34.5+02:00' } };
      expect(matches('meta.lastModified gt "2011-05-13T04:42:34Z"', resource)).toBe(true);
      expect(matches('meta.lastModified lt "2011-05-13T04:42:35Z"', resource)).toBe(true);
    });

    it('should not match a stored dateTime that does not parse', () => {
      const resource = { meta: { lastModified: 'last tuesday' } };
      expect(matches('meta.lastModified gt "2000-01-01T00:00:00Z"', resource)).toBe(false);
      expect(matches('meta.lastModified lt "2000-01-01T00:00:00Z"', resource)).toBe(false);
    });
  });

  describe('pr', () => {
    it.each([
      ['userName pr', BJENSEN, true],
      ['name pr', BJENSEN, true],
      ['emails pr', BJENSEN, true],
      ['emails.primary pr', BJENSEN, true],
      [`${ENTERPRISE}:manager pr`, BJENSEN, true],
      ['active pr', MINIMAL, true],
      ['emails pr', MINIMAL, false],
      ['employeeNumber pr', MINIMAL, false],
      ['emails pr', { emails: [] }, false],
      ['emails pr', { emails: [{}] }, false],
      ['emails.value pr', { emails: [{ type: 'work' }] }, false],
      ['name pr', { name: {} }, false],
      ['name pr', { name: { givenName: '' } }, false],
      ['userName pr', { userName: '' }, false],
      ['userName pr', { userName: null }, false],
    ])('should evaluate %s on %j to %s', (filter, resource, expected) => {
      expect(matches(filter, resource)).toBe(expected);
    });
  });

  describe('null', () => {
    it('should read eq null as absent and ne null as present', () => {
      expect(matches('name.familyName eq null', MINIMAL)).toBe(true);
      expect(matches('name.familyName eq null')).toBe(false);
      expect(matches('name.familyName ne null')).toBe(true);
      expect(matches('name.familyName ne null', MINIMAL)).toBe(false);
    });
  });

  describe('not, and, or', () => {
    it.each([
      ['not (userName eq "someone")', true],
      ['not (emails.type eq "work")', false],
      ['not emails.type eq "other" and userName pr', true],
      ['userName eq "x" or active eq true and id pr', true],
      ['(userName eq "x" or active eq true) and loginCount lt 0', false],
      // and binds tighter than or: true or (false and false) is true; (true or false) and false would be false.
      ['userName pr or active eq false and loginCount eq 0', true],
      ['not (userName pr) or active eq true', true],
      ['not (userName pr or active eq true)', false],
      ['userName pr and not (active eq false) and loginCount ge 42', true],
    ])('should evaluate %s to %s', (filter, expected) => {
      expect(matches(filter)).toBe(expected);
    });
  });

  describe('value paths', () => {
    it.each([
      ['emails[type eq "work" and value co "@example.com"]', true],
      // No single element is both home and @example.com: conditions apply to one element, not across elements.
      ['emails[type eq "home" and value co "@example.com"]', false],
      ['emails[TYPE eq "WORK"]', true],
      ['emails[type eq "work"].value eq "bjensen@example.com"', true],
      ['emails[type eq "home"].value eq "bjensen@example.com"', false],
      ['emails[type eq "other"].value eq "bjensen@example.com"', false],
      ['emails[type eq "other"].value ne "bjensen@example.com"', true],
      ['emails[type eq "work"].value pr', true],
      ['emails[primary eq true].value ew "example.com"', true],
      ['emails[type eq "work" or (type eq "home" and value ew "jensen.org")]', true],
      ['emails[not (primary pr)]', true],
      ['emails[primary eq false]', false],
      ['emails[type eq "work"] and userName sw "bj"', true],
      [`${ENTERPRISE}:manager[value pr]`, true],
      ['name[givenName eq "Barbara"]', true],
    ])('should evaluate %s to %s', (filter, expected) => {
      expect(matches(filter)).toBe(expected);
    });

    it('should not match a resource without the attribute, or with non-object elements', () => {
      expect(matches('emails[type eq "work"]', MINIMAL)).toBe(false);
      expect(matches('emails[type eq "work"]', { emails: ['work', null, 3] })).toBe(false);
    });
  });

  describe('safety', () => {
    it('should read only own properties, never the prototype chain', () => {
      const inherited = Object.create({ userName: 'ghost', active: true }) as Record<string, unknown>;
      expect(matches('userName pr', inherited)).toBe(false);
      expect(matches('active eq true', inherited)).toBe(false);
    });

    it('should ignore a __proto__ key in parsed JSON', () => {
      const resource = JSON.parse('{"__proto__": {"userName": "ghost"}}') as Record<string, unknown>;
      expect(matches('userName eq "ghost"', resource)).toBe(false);
    });

    it('should evaluate a long flat chain of conditions without exhausting the stack', () => {
      // 990 terms is about as many as fit in the 10 000-character limit.
      const filter = parseFilter(Array.from({ length: 990 }, () => 'id pr').join(' and '));
      expect(evaluateFilter(filter, BJENSEN, resolve)).toBe(true);
      expect(evaluateFilter(filter, {}, resolve)).toBe(false);
    });
  });

  it('should give the same answers through compileFilter', () => {
    const predicate = compileFilter(parseFilter('emails[type eq "work"] and active eq true'), resolve);
    expect([BJENSEN, MINIMAL].map(predicate)).toEqual([true, false]);
  });

  it('should reject an invalid filter when evaluating', () => {
    expectScimError(() => matches('nickName eq "x"'), 'invalidFilter', "unknown attribute 'nickName'");
  });
});

describe('validateFilter', () => {
  it.each([
    ['nickName eq "x"', "unknown attribute 'nickName'"],
    ['urn:example:unknown:1.0:userName eq "x"', "unknown attribute 'urn:example:unknown:1.0:userName'"],
    [`${CORE}:employeeNumber eq "x"`, `unknown attribute '${CORE}:employeeNumber'`],
    ['name.middleName eq "x"', "unknown sub-attribute 'middleName' of 'name'"],
    ['userName.value eq "x"', "attribute 'userName' has no sub-attributes"],
    ['active gt true', "'gt' cannot be used on the boolean attribute 'active'"],
    ['active le false', "'le' cannot be used on the boolean attribute 'active'"],
    ['emails.primary ge true', "'ge' cannot be used on the boolean attribute 'emails.primary'"],
    [
      'x509Certificates.value lt "AA=="',
      "'lt' cannot be used on the binary attribute 'x509Certificates.value'",
    ],
    ['name gt "x"', "cannot compare the complex attribute 'name'"],
    ['name eq "x"', "cannot compare the complex attribute 'name'"],
    ['active co "t"', "'co' cannot be used on the boolean attribute 'active'"],
    ['loginCount sw "4"', "'sw' cannot be used on the integer attribute 'loginCount'"],
    ['meta.created ew "Z"', "'ew' cannot be used on the dateTime attribute 'meta.created'"],
    ['userName[value eq "x"]', "'userName' is not a complex attribute, so it cannot take a value filter"],
    ['emails[display eq "x"]', "unknown sub-attribute 'display' of 'emails'"],
    ['emails[value.x eq "x"]', "attribute 'value' has no sub-attributes"],
    ['emails[type eq "work"].display eq "x"', "unknown sub-attribute 'display' of 'emails'"],
    ['active eq "yes"', '"yes" is not a valid boolean value for \'active\''],
    ['loginCount eq "many"', '"many" is not a valid integer value for \'loginCount\''],
    ['meta.created gt "yesterday"', '"yesterday" is not a valid dateTime value for \'meta.created\''],
    ['meta.created gt "2011-13-01T00:00:00Z"', 'is not a valid dateTime value'],
    ['meta.created gt 5', "5 is not a valid dateTime value for 'meta.created'"],
    ['userName gt null', "'gt' cannot compare 'userName' with null"],
    ['userName pr and not (nickName pr)', "unknown attribute 'nickName'"],
  ])('should reject %s', (filter, detail) => {
    expectScimError(() => validateFilter(parseFilter(filter), resolve), 'invalidFilter', detail);
  });

  it.each([
    'name pr',
    'emails pr',
    'emails co "example.com"',
    'userName eq 42',
    'x509Certificates.value eq "AA=="',
    `${ENTERPRISE}:manager.displayName sw "J"`,
  ])('should accept %s', (filter) => {
    expect(() => validateFilter(parseFilter(filter), resolve)).not.toThrow();
  });

  it('should reject a hand-built value path whose path carries a sub-attribute', () => {
    const filter: Filter = {
      kind: 'valuePath',
      path: { attr: 'emails', sub: 'value' },
      filter: { kind: 'present', path: { attr: 'type' } },
    };
    expectScimError(
      () => validateFilter(filter, resolve),
      'invalidFilter',
      'a value filter applies to an attribute',
    );
  });
});

describe('resolvePath', () => {
  it('should resolve a value path with a sub-attribute to canonical definitions and an element matcher', () => {
    const resolved = resolvePath(parsePath('EMAILS[Type eq "work"].Value'), resolve);
    expect(resolved.attribute).toMatchObject({ schema: CORE, extension: false });
    expect(resolved.attribute.definition.name).toBe('emails');
    expect(resolved.sub?.name).toBe('value');
    expect(resolved.matchElement?.({ type: 'Work', value: 'a@b.c' })).toBe(true);
    expect(resolved.matchElement?.({ type: 'home' })).toBe(false);
    expect(resolved.matchElement?.('work')).toBe(false);
  });

  it('should resolve an enterprise extension path', () => {
    const resolved = resolvePath(parsePath(`${ENTERPRISE}:manager.value`), resolve);
    expect(resolved.attribute).toMatchObject({ schema: ENTERPRISE, extension: true });
    expect(resolved.attribute.definition.name).toBe('manager');
    expect(resolved.sub?.name).toBe('value');
    expect(resolved.matchElement).toBeUndefined();
  });

  it('should resolve a plain attribute without sub-attribute or matcher', () => {
    const resolved = resolvePath(parsePath('Name'), resolve);
    expect(resolved.attribute.definition.name).toBe('name');
    expect(resolved.sub).toBeUndefined();
    expect(resolved.matchElement).toBeUndefined();
  });

  it('should report failures with the error the caller chooses', () => {
    const invalidPath = (detail: string) => ScimError.invalidPath(detail);
    expectScimError(
      () => resolvePath(parsePath('nickName'), resolve, invalidPath),
      'invalidPath',
      "unknown attribute 'nickName'",
    );
    expectScimError(
      () => resolvePath(parsePath('emails[display eq "x"]'), resolve, invalidPath),
      'invalidPath',
      "unknown sub-attribute 'display' of 'emails'",
    );
    expectScimError(
      () => resolvePath(parsePath('nickName'), resolve),
      'invalidFilter',
      "unknown attribute 'nickName'",
    );
  });
});

describe('parseDateTime', () => {
  it.each([
    ['2011-05-13T04:42:34Z', Date.UTC(2011, 4, 13, 4, 42, 34)],
    ['2011-05-13T04:42:34.123Z', Date.UTC(2011, 4, 13, 4, 42, 34, 123)],
    ['2011-05-13T04:42:34.1234567Z', Date.UTC(2011, 4, 13, 4, 42, 34, 123)],
    ['2011-05-13T06:42:34+02:00', Date.UTC(2011, 4, 13, 4, 42, 34)],
    ['2011-05-13T00:12:34-0430', Date.UTC(2011, 4, 13, 4, 42, 34)],
    ['2011-05-13T04:42:34', Date.UTC(2011, 4, 13, 4, 42, 34)],
    ['2011-05-13T04:42', Date.UTC(2011, 4, 13, 4, 42)],
    ['2011-05-13', Date.UTC(2011, 4, 13)],
    ['2012-02-29T00:00:00Z', Date.UTC(2012, 1, 29)],
    ['0099-01-01T00:00:00Z', new Date('0099-01-01T00:00:00Z').getTime()],
  ])('should parse %s', (text, expected) => {
    expect(parseDateTime(text)).toBe(expected);
  });

  it.each([
    '',
    'yesterday',
    '2011-13-01',
    '2011-02-29',
    '2011-05-32',
    '2011-05-13T24:00:00Z',
    '2011-05-13T04:42:34+25:00',
    '13/05/2011',
  ])('should reject %j', (text) => {
    expect(parseDateTime(text)).toBeUndefined();
  });
});
