/**
 * Standard Webhooks signatures: `webhook-signature: v1,<base64 HMAC-SHA256 of
 * "<id>.<timestamp>.<body>">`, keyed by the bytes after `whsec_` in the secret.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../domain/errors';

/** Deliveries older (or further in the future) than this are refused as replays. */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

export type WebhookHeaders = Record<string, string | undefined>;

export type VerifiedDelivery = { deliveryId: string; timestamp: number };

function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  const key = Buffer.from(encoded, 'base64');
  if (key.length < 16) {
    // A configuration error, not the sender's: it must never pass as "any signature is fine".
    throw new Error('The webhook secret must be whsec_ followed by at least 16 base64 bytes');
  }
  return key;
}

/**
 * A Unix time in seconds as the header must spell it: digits only, no sign, no leading
 * zero, no blank, no fraction. Anything looser would let one signed delivery pass under
 * several spellings of its timestamp.
 */
export const UNIX_SECONDS = /^[1-9][0-9]{0,11}$/;

function mac(secret: string, deliveryId: string, timestamp: string, body: string | Buffer): Buffer {
  return createHmac('sha256', secretKey(secret))
    .update(`${deliveryId}.${timestamp}.`)
    .update(body)
    .digest();
}

export function signStandardWebhook(
  secret: string,
  deliveryId: string,
  timestamp: number,
  body: string | Buffer,
): string {
  return `v1,${mac(secret, deliveryId, String(timestamp), body).toString('base64')}`;
}

/**
 * Checks the three headers against the raw body. Throws UnauthorizedError with a
 * reason fit for the log; the response never says which check failed beyond that.
 */
export function verifyStandardWebhook(
  secret: string,
  headers: WebhookHeaders,
  body: Buffer,
  now: Date = new Date(),
): VerifiedDelivery {
  const deliveryId = headers['webhook-id']?.trim();
  // Not trimmed: the timestamp is checked, and signed, exactly as it was sent.
  const timestampHeader = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature']?.trim();
  if (!deliveryId || !timestampHeader || !signatures) {
    throw new UnauthorizedError('Missing webhook-id, webhook-timestamp or webhook-signature');
  }
  if (deliveryId.length > 256) throw new UnauthorizedError('webhook-id is too long');
  if (!UNIX_SECONDS.test(timestampHeader)) {
    throw new UnauthorizedError('webhook-timestamp is not a Unix time in seconds');
  }
  const timestamp = Number(timestampHeader);
  if (Math.abs(now.getTime() / 1000 - timestamp) > SIGNATURE_TOLERANCE_SECONDS) {
    throw new UnauthorizedError('webhook-timestamp is outside the tolerance: stale or replayed');
  }
  const expected = mac(secret, deliveryId, timestampHeader, body);
  // Several space-separated signatures may be sent while a secret is being rotated.
  const matches = signatures.split(' ').some((candidate) => {
    const [version, value] = candidate.split(',', 2);
    if (version !== 'v1' || !value) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) throw new UnauthorizedError('No webhook-signature matches the body');
  return { deliveryId, timestamp };
}
