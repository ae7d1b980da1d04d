import { tenantDefaults } from '../../functions/compose/credentials';
import { DEFAULT_POLICY } from '../../shared/domain/credential-model';

const base = { TABLE_NAME: 't', PEPPER_FILE: 'p' };

describe('tenant defaults from the configuration', () => {
  it('should use the built-in policy when nothing is configured', () => {
    expect(tenantDefaults(base)).toEqual(DEFAULT_POLICY);
  });

  it('should take the configured lifetimes and idle window', () => {
    const p = tenantDefaults({
      ...base,
      TENANT_DEFAULT_LIFETIME_DAYS: '90',
      TENANT_MAX_LIFETIME_DAYS: '90',
      TENANT_IDLE_DAYS: '14',
    });
    expect(p).toMatchObject({ defaultLifetimeDays: 90, maxLifetimeDays: 90, idleDays: 14 });
  });

  it('should fail at start-up on inconsistent values', () => {
    expect(() =>
      tenantDefaults({ ...base, TENANT_DEFAULT_LIFETIME_DAYS: '400', TENANT_MAX_LIFETIME_DAYS: '90' }),
    ).toThrow(/tenant defaults/);
  });
});
