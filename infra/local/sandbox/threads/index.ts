/**
 * A loopback Threads API (graph.threads.net, v1.0) that Crier's Threads client talks to
 * unchanged: TEXT and IMAGE containers (replies too, with `reply_to_id`), their status,
 * threads_publish, the user's threads, a post's replies, the publishing limit, delete,
 * a post's insights from the audience model, and the fault knobs (docs/networks.md, Threads).
 * Error bodies Meta does not document for Threads take Graph's shapes; each is marked.
 */

import {
  type Drafted,
  type GraphNetwork,
  type GraphSandbox,
  type GraphSandboxOptions,
  invalid,
  isWebUrl,
  launchGraphSandbox,
} from '../meta';
import type { Params } from '../meta/http';
import { graphTime } from '../meta/http';
import type { InsightMetrics } from '../meta/insights';
import { THREADS_LOGIN } from '../meta/login';
import type { SandboxContext, SandboxFactory } from '../types';
import { threadsLinkCount, threadsTextLength } from './text';

export const THREADS_TEXT_LIMIT = 500;
const MAX_LINKS = 5;
const MAX_ALT_TEXT = 1000;
const MEDIA_TYPES = ['TEXT', 'IMAGE', 'VIDEO', 'CAROUSEL'];

/** A container request, checked as Threads checks it (the messages are unconfirmed). */
function draft(params: Params): Drafted {
  const mediaType = params.media_type;
  if (!mediaType) return invalid('(#100) The parameter media_type is required');
  if (!MEDIA_TYPES.includes(mediaType)) {
    return invalid(`(#100) Param media_type must be one of {${MEDIA_TYPES.join(', ')}}`);
  }
  if (mediaType !== 'TEXT' && mediaType !== 'IMAGE') {
    return invalid(`(#100) The sandbox takes TEXT and IMAGE containers, not ${mediaType}`);
  }
  const text = params.text ?? '';
  if (mediaType === 'TEXT' && !text.trim()) return invalid('(#100) The parameter text is required');
  const image = params.image_url;
  if (mediaType === 'IMAGE' && !image) return invalid('(#100) The parameter image_url is required');
  if (image !== undefined && !isWebUrl(image)) {
    return invalid('(#100) Param image_url must be a valid URL');
  }
  const link = params.link_attachment;
  if (link !== undefined && (mediaType !== 'TEXT' || !isWebUrl(link))) {
    return invalid('(#100) Param link_attachment must be a valid URL on a TEXT post');
  }
  const replyTo = params.reply_to_id;
  if (replyTo !== undefined && !/^\d+$/.test(replyTo)) {
    return invalid('(#100) Param reply_to_id must be a valid Threads media id');
  }
  const alt = params.alt_text;
  if (alt !== undefined && [...alt].length > MAX_ALT_TEXT) {
    return invalid(`(#100) Param alt_text must be at most ${MAX_ALT_TEXT} characters long`);
  }
  if (threadsTextLength(text) > THREADS_TEXT_LIMIT) {
    return invalid(`(#100) Param text must be at most ${THREADS_TEXT_LIMIT} characters long.`);
  }
  if (threadsLinkCount(text, link) > MAX_LINKS) {
    return {
      ok: false,
      error: {
        message: '(#100) THREADS_API__LINK_LIMIT_EXCEEDED',
        code: 100,
        error_user_msg: `A post can have at most ${MAX_LINKS} links.`,
      },
    };
  }
  return {
    ok: true,
    draft: {
      mediaType,
      text,
      ...(image ? { imageUrl: image } : {}),
      ...(alt ? { altText: alt } : {}),
      ...(link ? { linkAttachment: link } : {}),
      ...(replyTo ? { replyToId: replyTo } : {}),
    },
  };
}

// The one "container not found" Meta answers threads_publish with (issues report it
// for containers not yet propagated, and for ones that are gone).
const notFound = (id: string) => ({
  message: 'The requested resource does not exist',
  code: 24,
  error_subcode: 4279009,
  is_transient: false,
  error_user_title: 'Media Not Found',
  error_user_msg: `The media with id ${id} cannot be found.`,
});

/** The media insights Threads documents, each from the audience model's counts. */
const INSIGHTS: InsightMetrics = {
  views: {
    value: (c) => c.views,
    title: 'Views',
    description: 'The number of times your post was played or displayed.',
  },
  likes: { value: (c) => c.likes, title: 'Likes', description: 'The number of likes on the post.' },
  replies: {
    value: (c) => c.replies,
    title: 'Replies',
    description: 'The number of replies on the post.',
  },
  reposts: {
    value: (c) => c.reposts,
    title: 'Reposts',
    description: 'The number of times the post was reposted.',
  },
  quotes: {
    value: (c) => c.quotes,
    title: 'Quotes',
    description: 'The number of times the post was quoted.',
  },
  // Sends to others: the audience model has no such count; half its reposts stand in.
  shares: {
    value: (c) => Math.floor(c.reposts / 2),
    title: 'Shares',
    description: 'The number of shares of the post.',
  },
};

const threads: GraphNetwork = {
  login: THREADS_LOGIN,
  platform: 'threads',
  version: /^\/v1\.0(?=\/|$)/,
  edges: {
    container: 'threads',
    publish: 'threads_publish',
    list: 'threads',
    quota: 'threads_publishing_limit',
  },
  nodes: { container: 'ThreadsMediaContainer', media: 'ThreadsMedia', user: 'ThreadsUser' },
  unsupportedType: 'THApiException',
  defaultQuota: 250,
  earliestSince: 1688540400,
  draft,
  // Threads' throttle code and usage header are unconfirmed: Graph's app throttle.
  throttled: { message: '(#4) Application request limit reached', code: 4, is_transient: true },
  usageType: 'threads',
  notReady: notFound,
  notFound,
  containerFields: (container, state) => ({
    id: container.id,
    status: state,
    error_message:
      state === 'ERROR' ? (container.imageUrl ? 'INVALID_ASPEC_RATIO' : 'UNKNOWN') : undefined,
  }),
  mediaFields: (media, account) => {
    const root = account.rootOf(media);
    return {
      id: media.id,
      media_product_type: 'THREADS',
      media_type: media.mediaType === 'TEXT' ? 'TEXT_POST' : 'IMAGE',
      media_url: media.imageUrl,
      permalink: media.permalink,
      owner: { id: account.id },
      username: account.username,
      text: media.text || undefined,
      timestamp: graphTime(media.createdAt),
      shortcode: media.shortcode,
      is_quote_post: false,
      alt_text: media.altText,
      link_attachment_url: media.linkAttachment,
      has_replies: account.repliesTo(media.id).length > 0,
      is_reply: media.replyToId !== undefined,
      // The sandbox has one account: every reply in it is its own.
      is_reply_owned_by_me: media.replyToId !== undefined ? true : undefined,
      replied_to: media.replyToId ? { id: media.replyToId } : undefined,
      root_post: media.replyToId ? { id: root.id } : undefined,
    };
  },
  userFields: (account) => ({
    id: account.id,
    username: account.username,
    name: 'Newsroom (sandbox)',
    threads_profile_picture_url: undefined,
    threads_biography: '',
  }),
  permalink: (account, code) => `https://www.threads.net/@${account.username}/post/${code}`,
  deleted: (media) => ({ success: true, deleted_id: media.id }),
  insights: { metrics: INSIGHTS },
  replies: {
    edge: 'replies',
    // What Threads answers a reply to a post that is not there is unconfirmed: Graph's
    // "does not exist" for the object named.
    unknownParent: (id) => ({
      message: `(#100) Param reply_to_id ${id} does not exist, cannot be loaded due to missing permissions, or does not support this operation`,
      code: 100,
      error_subcode: 33,
    }),
  },
};

export type ThreadsSandbox = GraphSandbox;

export function launchThreadsSandbox(
  context: SandboxContext,
  options: GraphSandboxOptions = {},
): Promise<ThreadsSandbox> {
  return launchGraphSandbox(context, threads, options);
}

export const startThreadsSandbox: SandboxFactory = (context) => launchThreadsSandbox(context);
