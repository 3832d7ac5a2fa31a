/**
 * Sends an editors' digest to a target: Slack's incoming webhook and the generic webhook
 * through the SSRF-safe fetcher (public addresses only), e-mail through the SNS topic.
 * The local runtime's sandbox receiver is the one exception: a URL under the base it
 * names is posted to directly. Neither a URL nor a key ever appears in a reason.
 */
import type { NotificationSender, SendOutcome } from '../domain/notification';
import type { WebhookDelivery, WebhookSender } from '../domain/syndication';
import { signStandardWebhook } from '../ingest/standard-webhooks';

const TIMEOUT_MS = 10_000;

export type NotificationSenderDeps = {
  /** posts to public addresses only */
  safe: WebhookSender;
  /** posts anywhere: used only for URLs under `sandboxBase` */
  direct: WebhookSender;
  /** the local runtime's sandbox receiver (`http://127.0.0.1:<port>/sandbox/`); unset in AWS */
  sandboxBase?: string;
  /** the e-mail topic; unset, e-mail is refused with a reason */
  email?: { publish: NotificationSender['email'] };
};

function outcomeOf(delivery: WebhookDelivery): SendOutcome {
  if (delivery.kind === 'answered') {
    return delivery.status >= 200 && delivery.status < 300
      ? { ok: true }
      : { ok: false, reason: `answered HTTP ${delivery.status}` };
  }
  if (delivery.kind === 'timeout') return { ok: false, reason: 'no answer in time' };
  return { ok: false, reason: `could not be reached: ${delivery.code}` };
}

/** Only an exact prefix of the sandbox's own base counts: no host tricks through a path. */
function isSandbox(url: string, base: string | undefined): boolean {
  if (!base) return false;
  try {
    const target = new URL(url);
    const sandbox = new URL(base);
    return target.origin === sandbox.origin && target.pathname.startsWith(sandbox.pathname);
  } catch {
    return false;
  }
}

export function createNotificationSender(deps: NotificationSenderDeps): NotificationSender {
  const post = (url: string, body: string, headers: Record<string, string>) =>
    (isSandbox(url, deps.sandboxBase) ? deps.direct : deps.safe)
      .post(url, { body, headers, timeoutMs: TIMEOUT_MS })
      .then(outcomeOf);
  return {
    slack: (url, body, batchId) =>
      // Slack keeps no idempotency key; the header lets a receiver that can dedupe do so.
      post(url, JSON.stringify(body), { 'x-crier-batch-id': batchId }),
    webhook: (target, body, batchId, at) => {
      const timestamp = Math.floor(at.getTime() / 1000);
      return post(target.url, body, {
        'webhook-id': batchId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signStandardWebhook(target.secret, batchId, timestamp, body),
      });
    },
    email: (siteId, subject, text, batchId) =>
      deps.email
        ? deps.email.publish(siteId, subject, text, batchId)
        : Promise.resolve({ ok: false, reason: 'no e-mail topic in this deployment' }),
  };
}
