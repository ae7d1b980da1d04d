/**
 * Lambda entry point: SES bounce and complaint events (SNS, from the configuration set's event destination).
 * Permanent bounces and complaints become suppressed recipients of the tenants the mail was about, so the jobs skip
 * them and admins can see why (docs/jobs.md).
 */
import { recordBounce } from '../shared/adapters/aws/ses-mailer';
import type { SuppressedRecipient } from '../shared/domain/credential-model';
import type { Container } from '../shared/composition';
import { getContainer } from './lambda';

export function feedbackHandler(
  resolve: () => Container = getContainer,
): (event: unknown) => Promise<SuppressedRecipient[]> {
  return async (event) => {
    const c = resolve();
    const recorded = await recordBounce(c.credentialRepository, event, c.clock.now());
    // Addresses are personal data: log counts and reasons only.
    console.log(
      JSON.stringify({
        level: 'INFO',
        message: 'ses feedback recorded',
        suppressed: recorded.length,
        reasons: [...new Set(recorded.map((r) => r.reason))],
      }),
    );
    return recorded;
  };
}

export const handler = feedbackHandler();
