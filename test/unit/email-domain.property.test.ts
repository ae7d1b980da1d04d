/** The e-mail address parser behind the domain guardrail: one `@`, an unquoted local part, a host name. */
import fc from 'fast-check';
import { emailDomain, emailDomainAllowed } from '../../shared/domain/resource-guard';

const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/);
const host = fc
  .tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.stringMatching(/^[a-z]{2,6}$/))
  .map(([labels, tld]) => [...labels, tld].join('.'));
const local = fc.stringMatching(/^[a-z0-9!#$%&'*+/=?^_`{|}~-]{1,12}(?:\.[a-z0-9_+-]{1,8}){0,2}$/);

describe('emailDomain', () => {
  it('should give the lower-cased host of any well-formed address', () => {
    fc.assert(
      fc.property(local, host, fc.boolean(), (l, hst, upper) => {
        const address = `${l}@${upper ? hst.toUpperCase() : hst}`;
        expect(emailDomain(address)).toBe(hst);
      }),
    );
  });

  it('should find no domain in anything with a second @, whatever the suffix', () => {
    fc.assert(
      fc.property(local, host, host, fc.constantFrom('', '"'), (l, a, b, quote) => {
        const address = `${quote}${l}@${a}${quote}@${b}`;
        expect(emailDomain(address)).toBeUndefined();
        expect(emailDomainAllowed(address, [b])).toBe(false);
      }),
    );
  });

  it('should never throw and only allow a domain or its subdomains', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), host, (value, allowed) => {
        const domain = emailDomain(value);
        const ok = emailDomainAllowed(value, [allowed]);
        const inDomain = domain !== undefined && (domain === allowed || domain.endsWith(`.${allowed}`));
        expect(ok).toBe(inDomain);
      }),
    );
  });

  it.each([
    ['ann@acme.com', 'acme.com'],
    ['Ann.Lee+tag@EU.Acme.com', 'eu.acme.com'],
    ['x@other.example@acme.com', undefined],
    ['@acme.com', undefined],
    ['ann@', undefined],
    ['ann@acme', undefined],
    ['ann@acme..com', undefined],
    ['ann@acme.com.', undefined],
    ['an n@acme.com', undefined],
    ['ann@ac me.com', undefined],
    ['.ann@acme.com', undefined],
    ['ann\n@acme.com', undefined],
  ])('should read %j as domain %j', (address, domain) => {
    expect(emailDomain(address)).toBe(domain);
  });
});
