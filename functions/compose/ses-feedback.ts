/** SES feedback: one SNS delivery of bounces and complaints becomes suppressed recipients (docs/jobs.md). */
import { recordBounce } from '../../shared/adapters/aws/ses-mailer';
import type { CredentialRepository, SuppressedRecipient } from '../../shared/domain/credential-model';
import type { Clock } from '../../shared/domain/ports';
import type { EdgeLogger } from '../../shared/http/api-family';

export interface FeedbackServices {
  repository: CredentialRepository;
  clock: Clock;
}

export async function recordFeedback(
  services: FeedbackServices,
  event: unknown,
  logger: EdgeLogger,
): Promise<SuppressedRecipient[]> {
  const recorded = await recordBounce(services.repository, event, services.clock.now());
  // Addresses are personal data: log counts and reasons only.
  logger.info?.('ses feedback recorded', {
    suppressed: recorded.length,
    reasons: [...new Set(recorded.map((r) => r.reason))],
  });
  return recorded;
}
