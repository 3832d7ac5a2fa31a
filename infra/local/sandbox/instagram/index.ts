/**
 * A loopback Instagram Graph API (graph.instagram.com or graph.facebook.com, any
 * version) that Crier's Instagram client talks to unchanged: image containers, their
 * status, media_publish, the account's media, the publishing limit, delete, a post's
 * insights (empty for a while after publishing, as Meta's lag), its like and comment
 * counts, comments, and the fault knobs (docs/networks.md, Instagram). Undocumented error
 * bodies are marked.
 */

import {
  type Drafted,
  type GraphNetwork,
  type GraphSandbox,
  type GraphSandboxOptions,
  invalid,
  isWebUrl,
  launchGraphSandbox,
  type Media,
} from '../meta';
import type { GraphAccount } from '../meta/account';
import { instagramCommentFields } from '../meta/comments';
import type { Params } from '../meta/http';
import { graphTime } from '../meta/http';
import {
  articleLinkOf,
  audiencePost,
  countsNow,
  type InsightMetrics,
  invalidMetric,
} from '../meta/insights';
import { INSTAGRAM_LOGIN } from '../meta/login';
import type { SandboxContext, SandboxFactory } from '../types';

export const INSTAGRAM_CAPTION_LIMIT = 2200;
const MAX_HASHTAGS = 30;
const MAX_MENTIONS = 20;

// Written from Instagram's wording, not from Crier's composer. Instagram's servers are
// Python, so a character here is a code point (unconfirmed); a tag starts a word.
const HASHTAG = /(?<=^|\s)#[\p{L}\p{M}\p{N}_]+/gu;
const MENTION = /(?<=^|[^\p{L}\p{N}_])@[A-Za-z0-9._]+/gu;

function draft(params: Params): Drafted {
  const mediaType = params.media_type;
  if (mediaType !== undefined && mediaType !== 'IMAGE') {
    return invalid(`(#100) The sandbox takes single-image containers, not ${mediaType}`);
  }
  const image = params.image_url;
  if (!image) return invalid('(#100) The parameter image_url is required');
  if (!isWebUrl(image)) {
    return invalid('(#100) Param image_url must be a valid URL');
  }
  const caption = params.caption ?? '';
  // The wording of these three refusals is unconfirmed; that they are refused is not.
  if ([...caption].length > INSTAGRAM_CAPTION_LIMIT) {
    return invalid(`(#100) The caption is longer than ${INSTAGRAM_CAPTION_LIMIT} characters`);
  }
  if ((caption.match(HASHTAG)?.length ?? 0) > MAX_HASHTAGS) {
    return invalid(`(#100) The caption has more than ${MAX_HASHTAGS} hashtags`);
  }
  if ((caption.match(MENTION)?.length ?? 0) > MAX_MENTIONS) {
    return invalid(`(#100) The caption tags more than ${MAX_MENTIONS} accounts`);
  }
  const alt = params.alt_text;
  return {
    ok: true,
    draft: { mediaType: 'IMAGE', text: caption, imageUrl: image, ...(alt ? { altText: alt } : {}) },
  };
}

const STATUS_TEXT = {
  IN_PROGRESS: 'In Progress: Media is still being processed.',
  FINISHED: 'Finished: Media has been uploaded and it is ready to be published.',
  ERROR: 'Error: Media upload has failed with error code 2207009',
  EXPIRED: 'Expired: Media was not published within 24 hours.',
  PUBLISHED: 'Published: Media has been successfully published.',
} as const;

/**
 * How long a post's insights stay empty: Meta's data lags up to 48 hours; here a few
 * seconds, so that a local run with `CRIER_METRICS_AFTER=5s,20s` sees the first reading
 * fall back to the media's own counts and the second read the insights.
 */
export const INSTAGRAM_INSIGHTS_LAG_MS = 10_000;

/** The media insights Instagram documents for a feed image, each from the audience's counts. */
const INSIGHTS: InsightMetrics = {
  views: {
    value: (c) => c.views,
    title: 'Views',
    description: 'The number of times the media was played or displayed.',
  },
  reach: {
    value: (c) => Math.floor(c.views * 0.8),
    title: 'Accounts reached',
    description: 'The number of unique accounts that have seen the media at least once.',
  },
  likes: {
    value: (c) => c.likes,
    title: 'Likes',
    description: 'The number of likes on the media.',
  },
  comments: {
    value: (c) => c.replies,
    title: 'Comments',
    description: 'The number of comments on the media.',
  },
  shares: {
    value: (c) => c.reposts,
    title: 'Shares',
    description: 'The number of shares of the media.',
  },
  // Saves: the audience model has no such count; its quote rate, a small one, stands in.
  saved: {
    value: (c) => c.quotes,
    title: 'Saved',
    description: 'The number of saves of the media.',
  },
  total_interactions: {
    value: (c) => c.likes + c.replies + c.reposts + c.quotes,
    title: 'Interactions',
    description: 'The number of likes, saves, comments and shares on the media.',
  },
};

/** Retired in 2025 for media made since July 2024 (`views` replaced them); the wording is unconfirmed. */
const RETIRED = Object.fromEntries(
  [
    'impressions',
    'plays',
    'clips_replays_count',
    'ig_reels_aggregated_all_plays_count',
    'video_views',
  ].map((name) => [
    name,
    {
      ...invalidMetric(name),
      message: `(#100) The ${name} metric is no longer supported for this media. Use views instead.`,
    },
  ]),
);

/** The media's `like_count` and `comments_count`: live, unlike its insights. */
function ownCounts(media: Media, account: GraphAccount) {
  const post = audiencePost(
    'instagram',
    account.username,
    articleLinkOf(media.text, undefined, media.permalink),
    media.createdAt,
  );
  const counts = countsNow(post);
  return { like_count: counts.likes, comments_count: counts.replies };
}

const instagram: GraphNetwork = {
  login: INSTAGRAM_LOGIN,
  platform: 'instagram',
  version: /^\/v\d{1,3}\.\d{1,2}(?=\/|$)/,
  edges: {
    container: 'media',
    publish: 'media_publish',
    list: 'media',
    quota: 'content_publishing_limit',
  },
  nodes: { container: 'ShadowIGMediaBuilder', media: 'IGMedia', user: 'IGUser' },
  unsupportedType: 'GraphMethodException',
  defaultQuota: 100,
  draft,
  throttled: {
    message:
      '(#80002) There have been too many calls to this Instagram account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.',
    code: 80002,
    is_transient: true,
  },
  usageType: 'instagram',
  notReady: () => ({
    message: 'Media ID is not available',
    code: 9007,
    error_subcode: 2207027,
    is_transient: false,
    error_user_title: 'Media not ready for publishing',
    error_user_msg: 'The media is not ready for publishing, please wait for a moment',
  }),
  notFound: (id) => ({
    message: `(#24) The media with id ${id} cannot be found`,
    code: 24,
    error_subcode: 2207006,
    is_transient: false,
    error_user_title: 'Media not found',
    error_user_msg: `The media with ${id} cannot be found`,
  }),
  containerFields: (container, state) => ({
    id: container.id,
    status_code: state,
    status: STATUS_TEXT[state],
  }),
  mediaFields: (media, account) => ({
    id: media.id,
    caption: media.text || undefined,
    media_type: 'IMAGE',
    media_product_type: 'FEED',
    media_url: media.imageUrl,
    permalink: media.permalink,
    shortcode: media.shortcode,
    timestamp: graphTime(media.createdAt),
    username: account.username,
    alt_text: media.altText,
    owner: { id: account.id },
    is_comment_enabled: true,
    ...ownCounts(media, account),
  }),
  userFields: (account) => ({
    id: account.id,
    user_id: account.id,
    username: account.username,
    name: 'Newsroom (sandbox)',
    account_type: 'BUSINESS',
    media_count: account.media.size,
  }),
  permalink: (_account, code) => `https://www.instagram.com/p/${code}/`,
  // Delete is not in Meta's reference as read (docs/networks.md): Graph's usual answer.
  deleted: () => ({ success: true }),
  insights: { metrics: INSIGHTS, retired: RETIRED, lagMs: INSTAGRAM_INSIGHTS_LAG_MS },
  // Instagram's comments are plain text up to the caption's length (unconfirmed).
  comments: {
    maxLength: INSTAGRAM_CAPTION_LIMIT,
    node: 'IGComment',
    fields: instagramCommentFields,
  },
};

export type InstagramSandbox = GraphSandbox;

export function launchInstagramSandbox(
  context: SandboxContext,
  options: GraphSandboxOptions = {},
): Promise<InstagramSandbox> {
  return launchGraphSandbox(context, instagram, options);
}

export const startInstagramSandbox: SandboxFactory = (context) => launchInstagramSandbox(context);
