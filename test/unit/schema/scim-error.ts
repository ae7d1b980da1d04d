import { ScimError, type ScimType } from '../../../shared/scim/errors';

/** Runs `fn`, asserts it throws a ScimError with this status (and scimType, when given) and returns the error. */
export function expectScimError(fn: () => unknown, status: number, scimType?: ScimType): ScimError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ScimError);
  const error = caught as ScimError;
  expect(error.status).toBe(status);
  if (scimType !== undefined) expect(error.scimType).toBe(scimType);
  expect(error.message.length).toBeGreaterThan(0);
  return error;
}
