/** The generic webhook: size, Standard Webhooks signature, JSON, then the article schema. */
import type { Article } from '../domain/article';
import { parseGenericArticle } from '../domain/article-payload';
import { PayloadTooLargeError, ValidationError } from '../domain/errors';
import { verifyStandardWebhook, type WebhookHeaders } from './standard-webhooks';

export const MAX_WEBHOOK_BYTES = 256 * 1024;

export function parseJsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new ValidationError(
      'The body is not valid JSON',
      [{ field: '(body)', message: 'must be JSON' }],
      {
        cause: error,
      },
    );
  }
}

/**
 * Checks in the order that costs least and writes nothing: the size (no HMAC over a
 * huge body), the signature (nothing unsigned is parsed), then the content.
 */
export function readGenericWebhook(
  secret: string,
  headers: WebhookHeaders,
  body: Buffer,
  now?: Date,
): { deliveryId: string; article: Article } {
  if (body.length > MAX_WEBHOOK_BYTES) {
    throw new PayloadTooLargeError(`The body is over ${MAX_WEBHOOK_BYTES / 1024} KiB`);
  }
  const { deliveryId } = verifyStandardWebhook(secret, headers, body, now);
  return { deliveryId, article: parseGenericArticle(parseJsonBody(body)) };
}
