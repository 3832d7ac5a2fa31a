/**
 * Posts a webhook to the CMS with a timeout. The URL is the operator's own, from the
 * channels config; redirects are not followed (a webhook endpoint that moved is a
 * configuration to fix), and the answer's body is never read beyond its status.
 */
import type { WebhookDelivery, WebhookSender } from '../domain/syndication';

/** The code of the first cause that has one (undici wraps the socket's error). */
function codeOf(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if ('code' in current && typeof current.code === 'string') return current.code;
    current = current.cause;
  }
  return 'unknown';
}

const USER_AGENT = 'Crier (syndication webhook)';

export const fetchWebhookSender: WebhookSender = {
  async post(url, { body, headers, timeoutMs }): Promise<WebhookDelivery> {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...headers },
        body,
        redirect: 'manual',
        signal,
      });
      // Released, not read: the status is the whole answer.
      await response.body?.cancel();
      return { kind: 'answered', status: response.status };
    } catch (error) {
      if (signal.aborted) return { kind: 'timeout' };
      return { kind: 'network', code: codeOf(error) };
    }
  },
};
