import { ScimError } from '../../shared/scim/errors';

describe('ScimError', () => {
  it('should render an RFC 7644 §3.12 error body', () => {
    const body = ScimError.uniqueness('userName "a" is taken').toBody();
    expect(body).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '409',
      scimType: 'uniqueness',
      detail: 'userName "a" is taken',
    });
  });
});
