import { regionFromHost, signRequest } from '../../../bin/sigv4';
import { expectedSignature, parseAuthorization } from './sigv4-reference';

const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const SIGNING_DATE = new Date('2026-01-15T10:20:30Z');
const URL_ = 'https://abc123.execute-api.eu-west-1.amazonaws.com/admin/v1/tenants/acme/credentials';

describe('signRequest', () => {
  it('adds an execute-api SigV4 authorization header for the given static credentials', async () => {
    const body = JSON.stringify({ kind: 'bearer', name: 'Okta' });
    const headers = await signRequest(
      {
        method: 'POST',
        url: URL_,
        headers: { 'Content-Type': 'application/json', accept: 'application/json' },
        body,
      },
      { region: 'eu-west-1', credentials: CREDENTIALS, signingDate: SIGNING_DATE },
    );
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20260115\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/,
    );
    expect(headers['x-amz-date']).toBe('20260115T102030Z');
    expect(headers.host).toBe('abc123.execute-api.eu-west-1.amazonaws.com');
    expect(headers['content-type']).toBe('application/json');
    expect(headers['x-amz-security-token']).toBeUndefined();

    const auth = parseAuthorization(headers.authorization as string);
    expect(auth?.signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'content-type']));
    expect(auth?.signature).toBe(
      expectedSignature(
        { method: 'POST', url: new URL(URL_).pathname, headers, body },
        CREDENTIALS.secretAccessKey,
      ),
    );
  });

  it('signs the query string and the session token of temporary credentials (from a provider)', async () => {
    const url = `${URL_.replace('/credentials', '/audit')}?limit=5&credentialId=c1`;
    const headers = await signRequest(
      { method: 'GET', url, headers: { 'user-agent': 'scimgate-cli/0.1.0' } },
      {
        region: 'us-east-1',
        credentials: async () => ({ ...CREDENTIALS, sessionToken: 'SESSION' }),
        signingDate: SIGNING_DATE,
      },
    );
    expect(headers['x-amz-security-token']).toBe('SESSION');
    const auth = parseAuthorization(headers.authorization as string);
    expect(auth).toMatchObject({ region: 'us-east-1', service: 'execute-api' });
    expect(auth?.signedHeaders).toContain('x-amz-security-token');
    expect(auth?.signedHeaders).not.toContain('user-agent');
    const { pathname, search } = new URL(url);
    expect(auth?.signature).toBe(
      expectedSignature(
        { method: 'GET', url: pathname + search, headers, body: '' },
        CREDENTIALS.secretAccessKey,
      ),
    );
  });

  it('changes the signature when the body changes', async () => {
    const sign = (body: string) =>
      signRequest(
        { method: 'POST', url: URL_, headers: {}, body },
        { region: 'eu-west-1', credentials: CREDENTIALS, signingDate: SIGNING_DATE },
      );
    expect((await sign('{"a":1}')).authorization).not.toBe((await sign('{"a":2}')).authorization);
  });
});

describe('regionFromHost', () => {
  it.each([
    ['abc123.execute-api.eu-west-1.amazonaws.com', 'eu-west-1'],
    ['abc123.execute-api.cn-north-1.amazonaws.com.cn', 'cn-north-1'],
    ['admin.acme.com', undefined],
    ['127.0.0.1', undefined],
  ])('%s → %s', (host, region) => {
    expect(regionFromHost(host)).toBe(region);
  });
});
