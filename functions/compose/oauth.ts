/** Composition root of the OAuth function: client authentication and access tokens over the core. */
import type { ApiFamily } from '../../shared/http/api-family';
import { oauthFamily } from '../../shared/http/oauth-edge';
import type { Core } from '../runtime/core';
import { authenticatorParts } from './authenticator';

export function oauthToken(core: Core): ApiFamily {
  const { authenticator, accessTokens } = authenticatorParts(core);
  const publicBaseUrl = core.config.PUBLIC_BASE_URL;
  return oauthFamily({
    credentials: authenticator,
    accessTokens,
    logger: core.logger,
    clock: core.clock,
    ...(publicBaseUrl ? { publicBaseUrl } : {}),
  });
}
