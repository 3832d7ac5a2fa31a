/**
 * Mastodon through masto: a share becomes one status (the share's Idempotency-Key makes
 * a resend within the hour return the original), each part of its thread a reply under
 * a key of its own, and reconcile finds out whether an earlier attempt posted one
 * (reconcile.ts); a withdrawn article's status is deleted or edited (withdraw.ts)
 * (docs/networks.md, Mastodon).
 */
import type { ClientCall, NetworkClient, PublishOutcome, ReplyCall } from '../client';
import {
  type Api,
  asReply,
  asStatus,
  createStatus,
  published,
  restClient,
  type StatusRequest,
} from './api';
import { parseMastodonCredentials } from './credentials';
import { createOutcome, failure } from './errors';
import { countedLength, mastodonInstanceLimits } from './limits';
import { reconcile, reconcileReply } from './reconcile';
import { withdraw } from './withdraw';

export { mastodonCredentialsSchema } from './credentials';
export { type MastodonInstanceLimits, mastodonInstanceLimits } from './limits';

async function post(call: ClientCall, request: StatusRequest): Promise<PublishOutcome> {
  const parsed = parseMastodonCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'auth', message: parsed.message };
  const { credentials } = parsed;
  const api: Api = {
    client: restClient(credentials, call.timeoutMs),
    signal: AbortSignal.timeout(call.timeoutMs),
  };

  // The limit only lets Crier refuse early and say why; the instance checks every status.
  const limits = await mastodonInstanceLimits(api.client, credentials.url, api.signal);
  if (limits) {
    const used = countedLength(request.text, limits);
    if (used > limits.maxCharacters) {
      return {
        kind: 'rejected',
        message: `The text counts ${used} characters as this instance counts them (URLs ${limits.charactersReservedPerUrl}); its limit is ${limits.maxCharacters}`,
      };
    }
  }
  if (api.signal.aborted) {
    return { kind: 'retry', message: `No time left to post within ${call.timeoutMs} ms` };
  }

  let data: unknown;
  try {
    data = await createStatus(api, request);
  } catch (error) {
    return createOutcome(failure(error, api.signal, call.timeoutMs));
  }
  return published(data);
}

export const mastodonClient: NetworkClient = {
  withdraw,
  publish: (call) => post(call, asStatus(call.share)),
  reconcile,
  replies: {
    async publish(call: ReplyCall): Promise<PublishOutcome> {
      const request = asReply(call);
      if (!request) return { kind: 'rejected', message: `The share has no part ${call.index + 2}` };
      return post(call, request);
    },
    reconcile: reconcileReply,
  },
};
