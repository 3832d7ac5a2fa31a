/**
 * Crier's X client: posts a share with twitter-api-v2 (OAuth 1.0a user context), each part
 * of its thread as a reply to the one before, after an unknown outcome looks for the post
 * on the account's timeline (reconcile.ts), deletes it when its article is withdrawn
 * (withdraw.ts), and reads its counts (metrics.ts); a correction note goes out as a reply
 * the same way (docs/networks.md, X).
 */
import * as z from 'zod';
import type {
  ClientCall,
  ImageSource,
  NetworkClient,
  NoteCall,
  PublishOutcome,
  ReplyCall,
} from '../client';
import { apiFor, forgetIdentity, identify, postUrl, within } from './api';
import { parseXCredentials } from './credentials';
import { createFailure, identifyFailure } from './errors';
import { metrics } from './metrics';
import { reconcile, reconcileNote, reconcileReply } from './reconcile';
import { withdraw } from './withdraw';

export { xCredentialsSchema } from './credentials';

const USERNAME = /^@?([A-Za-z0-9_]{1,15})$/;
const createdSchema = z.object({ data: z.object({ id: z.string().regex(/^\d{1,19}$/) }) });

/** Where an attached image's bytes come from (the media bucket); none: posts go without. */
export type XClientOptions = { image?: ImageSource };

/** One post: the share's own, or a part of its thread answering `inReplyTo`. */
async function post(
  call: ClientCall,
  text: string,
  inReplyTo?: string,
  options: XClientOptions = {},
): Promise<PublishOutcome> {
  const parsed = parseXCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'auth', message: parsed.message };
  const { credentials } = parsed;
  const deadline = AbortSignal.timeout(call.timeoutMs);
  const api = apiFor(credentials, deadline);

  let username: string | undefined;
  try {
    username = (await identify(api, credentials, deadline)).username;
  } catch (error) {
    const outcome = identifyFailure(error, call.timeoutMs);
    if (outcome) return outcome;
    username = USERNAME.exec(call.account.trim())?.[1];
  }

  // The share's image (the first post only), uploaded with its alt text before the post.
  const ref = inReplyTo ? undefined : call.share.media?.[0];
  let mediaId: string | undefined;
  if (ref && options.image) {
    try {
      const image = await options.image(ref);
      if (image) {
        mediaId = await within(
          api.v2.uploadMedia(Buffer.from(image.bytes), {
            media_type: image.mimeType as 'image/jpeg',
            media_category: 'tweet_image',
          }),
          deadline,
        );
        if (ref.alt) {
          await within(
            api.v2.createMediaMetadata(mediaId, { alt_text: { text: ref.alt } }),
            deadline,
          );
        }
      }
    } catch (error) {
      // Nothing is posted yet: whatever the upload met, the post may be tried again.
      const outcome = createFailure(error, deadline, call.timeoutMs);
      return outcome.kind === 'unknown' ? { kind: 'retry', message: outcome.message } : outcome;
    }
  }

  let answer: unknown;
  try {
    answer = await within(
      api.v2.tweet({
        text,
        ...(inReplyTo ? { reply: { in_reply_to_tweet_id: inReplyTo } } : {}),
        ...(mediaId ? { media: { media_ids: [mediaId] } } : {}),
      }),
      deadline,
    );
  } catch (error) {
    const outcome = createFailure(error, deadline, call.timeoutMs);
    if (outcome.kind === 'auth') forgetIdentity(credentials);
    return outcome;
  }
  const created = createdSchema.safeParse(answer);
  if (!created.success) {
    return { kind: 'unknown', message: 'X accepted the post but answered without its id' };
  }
  const remoteId = created.data.data.id;
  return { kind: 'published', remoteId, remoteUrl: postUrl(username, remoteId) };
}

async function publishReply(call: ReplyCall): Promise<PublishOutcome> {
  const text = call.share.thread?.[call.index];
  if (text === undefined)
    return { kind: 'rejected', message: `The share has no part ${call.index + 2}` };
  // X has no idempotency key: a repeat of this part after an unknown outcome meets the
  // duplicate 403, which is unknown again, and reconcile finds the part.
  return post(call, text, call.parentId);
}

/**
 * A correction note: a reply to the post with the note's text. X keeps no key, so a repeat
 * after an unknown outcome is refused as a duplicate (unknown again) and reconcile finds it.
 */
function publishNote(call: NoteCall): Promise<PublishOutcome> {
  if (!call.text.trim()) {
    return Promise.resolve({ kind: 'rejected', message: 'The note has no text' });
  }
  return post(call, call.text, call.parentId);
}

/** An X client; `options.image` is where an attached image's bytes come from. */
export function createXClient(options: XClientOptions = {}): NetworkClient {
  return {
    publish: (call) => post(call, call.share.text, undefined, options),
    reconcile,
    replies: { publish: publishReply, reconcile: reconcileReply },
    notes: { publish: publishNote, reconcile: reconcileNote },
    withdraw,
    metrics,
  };
}

export const xClient: NetworkClient = createXClient();
