/**
 * The masto client per instance and token, and the one request that makes a status under
 * its Idempotency-Key: publish sends it, and reconcile sends it again within the hour.
 */
import { createRestAPIClient, type mastodon } from 'masto';
import * as z from 'zod';
import type { Share } from '../../domain/share';
import type { ClientCall, NoteCall, PublishOutcome, ReplyCall } from '../client';
import { type MastodonCredentials, parseMastodonCredentials } from './credentials';
import { mastodonLanguage } from './rules';

const MAX_CACHED_CLIENTS = 32;

// masto camel-cases every key of what the server sends.
export const statusSchema = z.object({
  id: z.string().min(1),
  uri: z.string(),
  url: z.string().nullish(),
  createdAt: z.string(),
  content: z.string(),
  card: z.object({ url: z.string() }).nullish(),
  inReplyToId: z.string().nullish(),
  account: z.object({ id: z.string() }).optional(),
});
export type Status = z.infer<typeof statusSchema>;

const clients = new Map<string, mastodon.rest.Client>();

/**
 * One masto client per instance, token and timeout: building one is cheap, but a
 * Lambda publishing many shares should not rebuild it per call. The timeout is the
 * client's own because masto drops per-request options on paginated lists.
 */
export function restClient(
  credentials: MastodonCredentials,
  timeoutMs: number,
): mastodon.rest.Client {
  const key = JSON.stringify([credentials.url, credentials.accessToken, timeoutMs]);
  let client = clients.get(key);
  if (!client) {
    if (clients.size >= MAX_CACHED_CLIENTS) {
      const oldest = clients.keys().next().value;
      if (oldest !== undefined) clients.delete(oldest);
    }
    client = createRestAPIClient({
      url: credentials.url,
      accessToken: credentials.accessToken,
      timeout: timeoutMs,
    });
    clients.set(key, client);
  }
  return client;
}

export function published(data: unknown): PublishOutcome {
  const status = statusSchema.safeParse(data);
  // Posted, but without an id Crier cannot record it: reconcile will find it.
  if (!status.success) {
    return { kind: 'unknown', message: 'Mastodon answered 200 without a status id' };
  }
  return {
    kind: 'published',
    remoteId: status.data.id,
    remoteUrl: status.data.url ?? status.data.uri,
  };
}

export type Api = { client: mastodon.rest.Client; signal: AbortSignal };

/** One status: the share's own, or a part of its thread (`inReplyToId`), each under its key. */
export type StatusRequest = {
  text: string;
  key: string;
  language?: string;
  inReplyToId?: string;
  /** images uploaded for the status (POST /api/v2/media) */
  mediaIds?: string[];
};

export const asStatus = (share: Share): StatusRequest => ({
  text: share.text,
  key: share.idempotencyKey,
  language: mastodonLanguage(share.language),
});

/**
 * A part of the thread: its own Idempotency-Key, `<share's key>-<post number>` (the
 * first post being 1), so a resend of one part returns that part and no other.
 */
export function asReply(call: ReplyCall): StatusRequest | undefined {
  const text = call.share.thread?.[call.index];
  if (text === undefined) return undefined;
  return {
    text,
    key: `${call.share.idempotencyKey}-${call.index + 2}`,
    language: mastodonLanguage(call.share.language),
    inReplyToId: call.parentId,
  };
}

/** A correction note: a reply to the post under the note's own key, so a resend within the hour returns it. */
export const asNote = (call: NoteCall): StatusRequest & { inReplyToId: string } => ({
  text: call.text,
  key: call.key,
  language: mastodonLanguage(call.share.language),
  inReplyToId: call.parentId,
});

export function createStatus(api: Api, request: StatusRequest): Promise<unknown> {
  return api.client.v1.statuses.create(
    {
      status: request.text,
      language: request.language,
      visibility: 'public',
      ...(request.inReplyToId ? { inReplyToId: request.inReplyToId } : {}),
      ...(request.mediaIds?.length ? { mediaIds: request.mediaIds } : {}),
    },
    {
      requestInit: {
        headers: { 'Idempotency-Key': request.key },
        signal: api.signal,
      },
    },
  );
}

/** The API for a lookup; credentials that do not parse make it impossible to tell. */
export function open(call: ClientCall): Api | { kind: 'invalid'; message: string } {
  const parsed = parseMastodonCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'invalid', message: parsed.message };
  return {
    client: restClient(parsed.credentials, call.timeoutMs),
    signal: AbortSignal.timeout(call.timeoutMs),
  };
}
