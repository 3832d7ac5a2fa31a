/**
 * Threads through the Graph API: a TEXT container with the share URL as
 * `link_attachment` (an IMAGE container when the share carries media), published with
 * `threads_publish`; reconcile looks through the user's threads since the first claim
 * (docs/networks.md, Threads). Each part of a thread is a TEXT container with `reply_to_id`,
 * found again among the replies to the post it answers.
 */
import * as z from 'zod';
import type { Share } from '../../domain/share';
import {
  type ContainerState,
  createContainerClient,
  type ListedPost,
  normalizeText,
  sameUrl,
} from '../meta/containers';
import { parseThreadsCredentials } from './credentials';
import { readThreadsMetrics } from './metrics';

export { threadsCredentialsSchema } from './credentials';

const GRAPH = 'https://graph.threads.net';
const VERSION = 'v1.0';
/** The earliest `since` the threads list accepts (2023-07-05). */
const EARLIEST_SINCE = 1688540400;
const MAX_ALT_TEXT = 1000;
const STATES: readonly ContainerState[] = [
  'IN_PROGRESS',
  'FINISHED',
  'ERROR',
  'EXPIRED',
  'PUBLISHED',
];

const statusSchema = z.object({
  status: z.enum(STATES),
  error_message: z.string().optional(),
});

const threadSchema = z.object({
  id: z.string().regex(/^\d+$/),
  permalink: z.string().optional(),
  text: z.string().optional(),
  timestamp: z.string().optional(),
  link_attachment_url: z.string().optional(),
});

const replySchema = threadSchema.extend({ is_reply_owned_by_me: z.boolean().optional() });

function readReply(item: unknown): ListedPost | undefined {
  const parsed = replySchema.safeParse(item);
  if (!parsed.success) return undefined;
  const { id, permalink, text, timestamp, is_reply_owned_by_me: ownedByMe } = parsed.data;
  return { id, permalink, text, timestamp, ownedByMe };
}

function readThread(item: unknown): ListedPost | undefined {
  const parsed = threadSchema.safeParse(item);
  if (!parsed.success) return undefined;
  const { id, permalink, text, timestamp, link_attachment_url: linkUrl } = parsed.data;
  return { id, permalink, text, timestamp, linkUrl };
}

/** Its link attachment, its text, or its permalink once known. */
function isShare(post: ListedPost, share: Share): boolean {
  if (post.linkUrl && sameUrl(post.linkUrl, share.url)) return true;
  if (post.text !== undefined && normalizeText(post.text) === normalizeText(share.text))
    return true;
  return Boolean(post.permalink && share.remoteUrl && sameUrl(post.permalink, share.remoteUrl));
}

export const threadsClient = createContainerClient({
  name: 'Threads',
  target(input) {
    const parsed = parseThreadsCredentials(input);
    if (!parsed.ok) return parsed;
    const { accessToken, userId, apiBase } = parsed.credentials;
    return {
      ok: true,
      credentials: { base: `${apiBase ?? GRAPH}/${VERSION}`, user: userId ?? 'me', accessToken },
    };
  },
  container(share) {
    const image = share.media?.[0];
    if (image) {
      // An image post shows no link preview: the link stays in the text.
      return {
        ok: true,
        params: {
          media_type: 'IMAGE',
          image_url: image.url,
          text: share.text || undefined,
          alt_text: image.alt ? [...image.alt].slice(0, MAX_ALT_TEXT).join('') : undefined,
        },
      };
    }
    if (!share.text.trim())
      return { ok: false, message: 'The share has no text to post on Threads' };
    return {
      ok: true,
      params: { media_type: 'TEXT', text: share.text, link_attachment: share.url || undefined },
    };
  },
  containerEdge: 'threads',
  publishEdge: 'threads_publish',
  statusFields: 'status,error_message',
  readStatus(body) {
    const parsed = statusSchema.safeParse(body);
    if (!parsed.success) return undefined;
    return { state: parsed.data.status, detail: parsed.data.error_message };
  },
  list: {
    edge: 'threads',
    fields: 'id,permalink,text,timestamp,link_attachment_url',
    since: { min: EARLIEST_SINCE },
    read: readThread,
  },
  isShare,
  profileUrl: (account) => `https://www.threads.net/@${account.trim().replace(/^@/, '')}`,
  replies: {
    // The parts carry no link attachment: the first post has the article's card.
    container: (_share, text, parentId) =>
      text.trim()
        ? { ok: true, params: { media_type: 'TEXT', text, reply_to_id: parentId } }
        : { ok: false, message: 'A part of the thread has no text to post on Threads' },
    edge: 'replies',
    fields: 'id,permalink,text,timestamp,is_reply_owned_by_me',
    read: readReply,
  },
  // threads_delete: `DELETE /{threads-media-id}` (docs/networks.md, Threads).
  deletes: true,
  // threads_manage_insights: `GET /{threads-media-id}/insights`.
  metrics: readThreadsMetrics,
});
