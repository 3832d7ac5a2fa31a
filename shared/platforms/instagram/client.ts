/**
 * Instagram through the Graph API: an IMAGE container (`image_url` = the share's first
 * image, `caption` = its text), published with `media_publish`; reconcile looks through
 * the account's media since the first claim for the same caption; a correction note is a
 * comment on the post (docs/networks.md, Instagram).
 */
import * as z from 'zod';
import type { Share } from '../../domain/share';
import { publishComment, reconcileComment } from '../meta/comments';
import {
  type ContainerState,
  createContainerClient,
  type ListedPost,
  normalizeText,
} from '../meta/containers';
import type { ContainerClient, ContainerNetwork } from '../meta/network';
import { parseInstagramCredentials } from './credentials';
import { readInstagramMetrics } from './metrics';

export { instagramCredentialsSchema } from './credentials';

const HOSTS = {
  instagram: 'https://graph.instagram.com',
  facebook: 'https://graph.facebook.com',
} as const;
/** Pinned: a Graph version lives about two years; override with `apiVersion`. */
const DEFAULT_VERSION = 'v25.0';
const STATES: readonly ContainerState[] = [
  'IN_PROGRESS',
  'FINISHED',
  'ERROR',
  'EXPIRED',
  'PUBLISHED',
];

const statusSchema = z.object({ status_code: z.enum(STATES), status: z.string().optional() });

const mediaSchema = z.object({
  id: z.string().regex(/^\d+$/),
  caption: z.string().optional(),
  permalink: z.string().optional(),
  timestamp: z.string().optional(),
});

function readMedia(item: unknown): ListedPost | undefined {
  const parsed = mediaSchema.safeParse(item);
  if (!parsed.success) return undefined;
  const { id, caption, permalink, timestamp } = parsed.data;
  return { id, text: caption, permalink, timestamp };
}

/** The caption is all a listed post shares with the share (the image URL is Meta's copy). */
function isShare(post: ListedPost, share: Share): boolean {
  return post.text !== undefined && normalizeText(post.text) === normalizeText(share.text);
}

const instagram: ContainerNetwork = {
  name: 'Instagram',
  target(input) {
    const parsed = parseInstagramCredentials(input);
    if (!parsed.ok) return parsed;
    const { accessToken, userId, login, apiVersion, apiBase } = parsed.credentials;
    const host = apiBase ?? HOSTS[login ?? 'instagram'];
    return {
      ok: true,
      credentials: { base: `${host}/${apiVersion ?? DEFAULT_VERSION}`, user: userId, accessToken },
    };
  },
  container(share) {
    const image = share.media?.[0];
    if (!image) {
      return {
        ok: false,
        message: 'Instagram posts need an image and the share has none: add one and compose again',
      };
    }
    return {
      ok: true,
      params: { image_url: image.url, caption: share.text, alt_text: image.alt || undefined },
    };
  },
  containerEdge: 'media',
  publishEdge: 'media_publish',
  statusFields: 'status_code,status',
  readStatus(body) {
    const parsed = statusSchema.safeParse(body);
    if (!parsed.success) return undefined;
    return { state: parsed.data.status_code, detail: parsed.data.status };
  },
  list: { edge: 'media', fields: 'id,caption,permalink,timestamp', read: readMedia },
  isShare,
  profileUrl: (account) => `https://www.instagram.com/${account.trim().replace(/^@/, '')}/`,
  // Not in Meta's reference: delete by hand (docs/networks.md, Instagram).
  deletes: false,
  // instagram_business_manage_insights (or instagram_manage_insights with Facebook login).
  metrics: readInstagramMetrics,
};

export const instagramClient: ContainerClient = {
  ...createContainerClient(instagram),
  // Instagram's replies are comments: a correction note is one (meta/comments.ts).
  notes: {
    publish: (call) => publishComment(instagram, call),
    reconcile: (call) => reconcileComment(instagram, call),
  },
};
