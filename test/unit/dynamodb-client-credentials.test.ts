/**
 * Which credentials the document client signs with: fixed ones for DynamoDB Local on this machine (every process
 * then shares one local database), the environment's (Lambda's) for AWS, also at an endpoint given explicitly.
 */
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('document client credentials', () => {
  beforeEach(() => {
    process.env.AWS_ACCESS_KEY_ID = 'ASIAENVIRONMENT';
    process.env.AWS_SECRET_ACCESS_KEY = 'environment-secret';
    process.env.AWS_SESSION_TOKEN = 'environment-token';
  });

  it.each(['http://127.0.0.1:8000', 'http://localhost:8000', 'http://[::1]:8000'])(
    'should sign for DynamoDB Local at %s with fixed credentials',
    async (endpoint) => {
      const doc = createDocumentClient({ endpoint });
      await expect(doc.credentials()).resolves.toEqual({ accessKeyId: 'local', secretAccessKey: 'local' });
      doc.destroy();
    },
  );

  it.each([undefined, 'https://dynamodb.cn-north-1.amazonaws.com.cn'])(
    'should sign for AWS (endpoint %s) with the environment credentials',
    async (endpoint) => {
      const doc = createDocumentClient({ region: 'eu-west-1', ...(endpoint ? { endpoint } : {}) });
      await expect(doc.credentials()).resolves.toEqual({
        accessKeyId: 'ASIAENVIRONMENT',
        secretAccessKey: 'environment-secret',
        sessionToken: 'environment-token',
      });
      doc.destroy();
    },
  );

  it('should say what is missing when AWS has no credentials in the environment', async () => {
    delete process.env.AWS_ACCESS_KEY_ID;
    const doc = createDocumentClient({ region: 'eu-west-1' });
    await expect(doc.credentials()).rejects.toThrow(/AWS_ACCESS_KEY_ID/);
    doc.destroy();
  });
});
