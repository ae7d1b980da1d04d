/** Property tests for the DynamoDB-limit checks and the UTF-8 detection of request bodies. */
import fc from 'fast-check';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { fromApiGateway } from '../../shared/http/apigw';
import { ScimError } from '../../shared/scim/errors';
import { parseFilter } from '../../shared/scim/filter';
import {
  checkFilterValues,
  checkId,
  checkKeyValue,
  hasControlCharacters,
  MAX_ID_BYTES,
  MAX_KEY_VALUE_BYTES,
} from '../../shared/scim/limits';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

function outcome(action: () => void): 'ok' | string {
  try {
    action();
    return 'ok';
  } catch (e) {
    expect(e).toBeInstanceOf(ScimError);
    expect((e as ScimError).status).toBe(400);
    return (e as ScimError).scimType ?? 'none';
  }
}

const text = fc.string({ unit: 'grapheme', maxLength: 1400, size: 'max' });

describe('limit checks', () => {
  it('should accept exactly the ids of 1..1024 UTF-8 bytes', () => {
    fc.assert(
      fc.property(text, (id) => {
        const ok = id.length > 0 && bytes(id) <= MAX_ID_BYTES;
        expect(outcome(() => checkId(id))).toBe(ok ? 'ok' : 'invalidValue');
      }),
    );
  });

  it('should accept exactly the key values whose stored (lower-cased) form fits 1024 bytes', () => {
    fc.assert(
      fc.property(text, (value) => {
        const ok = bytes(value) <= MAX_KEY_VALUE_BYTES && bytes(value.toLowerCase()) <= MAX_KEY_VALUE_BYTES;
        expect(outcome(() => checkKeyValue('userName', value))).toBe(ok ? 'ok' : 'invalidValue');
      }),
    );
  });

  it('should flag exactly the strings holding a C0/C1 control character or DEL', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (value) => {
        const expected = [...value].some((c) => {
          const code = c.codePointAt(0) ?? 0;
          return code < 0x20 || (code >= 0x7f && code <= 0x9f);
        });
        expect(hasControlCharacters(value)).toBe(expected);
      }),
    );
  });

  it('should refuse any filter naming an id, member value or indexed value over its limit, wherever it sits', () => {
    const attr = fc.constantFrom(
      'id',
      'userName',
      'externalId',
      'displayName',
      'emails.value',
      'members.value',
    );
    const other = fc.constantFrom('title eq "x"', 'active eq true', 'nickName pr');
    fc.assert(
      fc.property(
        attr,
        fc.integer({ min: 0, max: 1600 }),
        other,
        fc.constantFrom('and', 'or'),
        fc.boolean(),
        (name, length, rest, join, negate) => {
          const value = 'x'.repeat(length);
          const term = `${name} eq "${value}"`;
          const filter = parseFilter(`${negate ? `not (${term})` : term} ${join} ${rest}`);
          const limit = name === 'id' || name === 'members.value' ? MAX_ID_BYTES : MAX_KEY_VALUE_BYTES;
          const bad = length > limit || (length === 0 && (name === 'id' || name === 'members.value'));
          expect(outcome(() => checkFilterValues(filter))).toBe(bad ? 'invalidFilter' : 'ok');
        },
      ),
    );
  });
});

function event(body: Buffer): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers: { host: 'api.example', 'content-type': 'application/scim+json' },
    requestContext: { http: { method: 'POST', sourceIp: '127.0.0.1' }, domainName: 'api.example' },
    body: body.toString('base64'),
    isBase64Encoded: true,
  } as unknown as APIGatewayProxyEventV2;
}

describe('UTF-8 detection of base64 bodies', () => {
  it('should flag a body exactly when its bytes are not a UTF-8 encoding', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (raw) => {
        const buf = Buffer.from(raw);
        const roundTrips = Buffer.from(buf.toString('utf8'), 'utf8').equals(buf);
        expect(fromApiGateway(event(buf)).invalidUtf8 === true).toBe(!roundTrips);
      }),
    );
  });

  it('should never flag valid text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        const req = fromApiGateway(event(Buffer.from(s, 'utf8')));
        expect(req.invalidUtf8).toBeUndefined();
        expect(req.body).toBe(s);
      }),
    );
  });
});
