/** The application (bookmark) URL rule: https anywhere, http only on the loopback, never credentials in it. */
import fc from 'fast-check';
import { isApplicationUrl } from '../../shared/domain/credential-schemas';

const host = fc.domain();
const path = fc.webPath();

describe('isApplicationUrl', () => {
  it('should accept every https URL of a host, with any path, query and port', () => {
    fc.assert(
      fc.property(host, path, fc.option(fc.integer({ min: 1, max: 65535 })), (h, p, port) => {
        expect(isApplicationUrl(`https://${h}${port === null ? '' : `:${port}`}${p}`)).toBe(true);
      }),
    );
  });

  it('should accept http only on 127.0.0.1, localhost and [::1]', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('127.0.0.1', 'localhost', '[::1]'),
        fc.integer({ min: 1, max: 65535 }),
        path,
        (h, port, p) => {
          expect(isApplicationUrl(`http://${h}:${port}${p}`)).toBe(true);
        },
      ),
    );
    fc.assert(
      fc.property(
        host.filter((h) => h !== 'localhost'),
        path,
        (h, p) => {
          expect(isApplicationUrl(`http://${h}${p}`)).toBe(false);
        },
      ),
    );
  });

  it('should refuse other schemes, credentials in the URL and text that is no URL', () => {
    for (const bad of [
      'javascript:alert(1)',
      'data:text/html,x',
      'ftp://example.com/',
      'file:///etc/passwd',
      'https://user:pass@example.com/',
      'https://user@example.com/',
      'example.com',
      '//example.com/x',
      '',
      'http://127.0.0.2/',
      'http://localhost.evil.example/',
    ]) {
      expect({ bad, ok: isApplicationUrl(bad) }).toEqual({ bad, ok: false });
    }
    fc.assert(
      fc.property(fc.string(), (s) => {
        // Whatever it accepts parses as an https URL, or an http URL on the loopback.
        if (!isApplicationUrl(s)) return;
        const u = new URL(s);
        expect(u.protocol === 'https:' || ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)).toBe(
          true,
        );
      }),
    );
  });
});
