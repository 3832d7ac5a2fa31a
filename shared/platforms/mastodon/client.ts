/**
 * Mastodon through masto: a share becomes one status (the share's Idempotency-Key makes
 * a resend within the hour return the original), each part of its thread a reply under
 * a key of its own, and reconcile finds out whether an earlier attempt posted one
 * (reconcile.ts); a withdrawn article's status is deleted or edited (withdraw.ts), and a
 * status's counts are read (metrics.ts); a correction note is a reply under the note's own
 * key (docs/networks.md, Mastodon).
 */
import type {
  ClientCall,
  ImageSource,
  NetworkClient,
  NoteCall,
  PublishOutcome,
  ReplyCall,
} from '../client';
import {
  type Api,
  asNote,
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
import { metrics } from './metrics';
import { reconcile, reconcileNote, reconcileReply } from './reconcile';
import { withdraw } from './withdraw';

export { mastodonCredentialsSchema } from './credentials';
export { type MastodonInstanceLimits, mastodonInstanceLimits } from './limits';

/** Where an attached image's bytes come from (the media bucket); none: posts go without. */
export type MastodonClientOptions = { image?: ImageSource };

async function post(
  call: ClientCall,
  request: StatusRequest,
  options: MastodonClientOptions = {},
): Promise<PublishOutcome> {
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

  // The share's image (its own post only), uploaded with its alt text as `description`.
  const ref = request.inReplyToId ? undefined : call.share.media?.[0];
  if (ref && options.image) {
    try {
      const image = await options.image(ref);
      if (image) {
        const attachment = await api.client.v2.media.create(
          {
            file: new Blob([Buffer.from(image.bytes)], { type: image.mimeType }),
            ...(ref.alt ? { description: ref.alt } : {}),
          },
          { requestInit: { signal: api.signal } },
        );
        request = { ...request, mediaIds: [attachment.id] };
      }
    } catch (error) {
      // Nothing is posted yet: whatever the upload met, the status may be tried again.
      const outcome = createOutcome(failure(error, api.signal, call.timeoutMs));
      return outcome.kind === 'unknown' ? { kind: 'retry', message: outcome.message } : outcome;
    }
  }

  let data: unknown;
  try {
    data = await createStatus(api, request);
  } catch (error) {
    return createOutcome(failure(error, api.signal, call.timeoutMs));
  }
  return published(data);
}

/** A Mastodon client; `options.image` is where an attached image's bytes come from. */
export function createMastodonClient(options: MastodonClientOptions = {}): NetworkClient {
  return {
    withdraw,
    metrics,
    publish: (call) => post(call, asStatus(call.share), options),
    reconcile,
    replies: {
      async publish(call: ReplyCall): Promise<PublishOutcome> {
        const request = asReply(call);
        if (!request)
          return { kind: 'rejected', message: `The share has no part ${call.index + 2}` };
        return post(call, request);
      },
      reconcile: reconcileReply,
    },
    notes: {
      async publish(call: NoteCall): Promise<PublishOutcome> {
        if (!call.text.trim()) return { kind: 'rejected', message: 'The note has no text' };
        return post(call, asNote(call));
      },
      reconcile: reconcileNote,
    },
  };
}

export const mastodonClient: NetworkClient = createMastodonClient();
