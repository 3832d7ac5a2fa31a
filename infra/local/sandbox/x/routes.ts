/**
 * The X sandbox's API routes, each answering with X's status codes and body shapes
 * (docs/networks.md, X): create, lookup and delete a post, users/me, the user timeline, and
 * media upload (initialize, append, finalize, status, alt text).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import twitterText from 'twitter-text';
import type { SandboxPosts } from '../posts';
import {
  linkify,
  type SnowflakeIds,
  type StoredMedia,
  type StoredTweet,
  snowflakeTime,
  type Upload,
  type XAccount,
} from './account';
import {
  DUPLICATE,
  type InvalidParameter,
  sendInvalidRequest,
  sendJson,
  sendProblem,
} from './http';

export const X_MAX_WEIGHTED_LENGTH = 280;

export type Exchange = {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  body: Buffer;
  account: XAccount;
  ids: SnowflakeIds;
  posts: SandboxPosts;
};

const TWEET_FIELDS = [
  'article',
  'attachments',
  'author_id',
  'card_uri',
  'community_id',
  'context_annotations',
  'conversation_id',
  'created_at',
  'display_text_range',
  'edit_controls',
  'edit_history_tweet_ids',
  'entities',
  'geo',
  'id',
  'in_reply_to_user_id',
  'lang',
  'media_metadata',
  'non_public_metrics',
  'note_tweet',
  'organic_metrics',
  'possibly_sensitive',
  'promoted_metrics',
  'public_metrics',
  'referenced_tweets',
  'reply_settings',
  'scopes',
  'source',
  'suggested_source_links',
  'text',
  'withheld',
] as const;

const FIELD_PARAMS = [
  'expansions',
  'media.fields',
  'place.fields',
  'poll.fields',
  'tweet.fields',
  'user.fields',
];

const CREATE_KEYS = new Set([
  'text',
  'media',
  'reply',
  'quote_tweet_id',
  'poll',
  'reply_settings',
  'for_super_followers_only',
  'direct_message_deep_link',
  'geo',
  'card_uri',
  'nullcast',
  'edit_options',
  'community_id',
  'share_with_followers',
  'made_with_ai',
  'paid_partnership',
]);

/** X's media limits (docs/networks.md, X, "Limits"); which types beyond these it takes is unconfirmed. */
const MEDIA_CATEGORIES: Record<
  string,
  { types: readonly string[]; maxBytes: number; key: number }
> = {
  tweet_image: {
    types: ['image/jpeg', 'image/png', 'image/webp', 'image/gif'],
    maxBytes: 5 * 1024 * 1024,
    key: 3,
  },
  tweet_gif: { types: ['image/gif'], maxBytes: 15 * 1024 * 1024, key: 16 },
  tweet_video: { types: ['video/mp4', 'video/quicktime'], maxBytes: 512 * 1024 * 1024, key: 7 },
  amplify_video: {
    types: ['video/mp4', 'video/quicktime'],
    maxBytes: 512 * 1024 * 1024,
    key: 13,
  },
};

const MEDIA_EXPIRES_SECONDS = 86_400;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(ex: Exchange): { ok: true; value: unknown } | { ok: false } {
  if (!/application\/json/i.test(ex.req.headers['content-type'] ?? '')) {
    sendInvalidRequest(ex.res, [{ message: 'Content-Type must be application/json' }]);
    return { ok: false };
  }
  try {
    return { ok: true, value: JSON.parse(ex.body.toString('utf8')) };
  } catch {
    sendInvalidRequest(ex.res, [{ message: 'Request body is not valid JSON' }]);
    return { ok: false };
  }
}

function typeName(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return Number.isInteger(value) ? 'integer' : typeof value;
}

function compareIds(a: string, b: string): number {
  const left = BigInt(a);
  const right = BigInt(b);
  return left === right ? 0 : left < right ? -1 : 1;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** X refuses unknown query parameters and unknown field names, naming the allowed ones. */
function checkQuery(query: URLSearchParams, allowed: readonly string[]): InvalidParameter[] {
  const errors: InvalidParameter[] = [];
  for (const key of new Set(query.keys())) {
    if (!allowed.includes(key)) {
      errors.push({
        parameters: { [key]: query.getAll(key) },
        message: `The query parameter [${key}] is not one of [${allowed.join(',')}]`,
      });
    }
  }
  const fields = query.get('tweet.fields');
  for (const field of fields ? fields.split(',') : []) {
    if (!TWEET_FIELDS.some((f) => f === field)) {
      errors.push({
        parameters: { 'tweet.fields': [fields ?? ''] },
        message: `The \`tweet.fields\` query parameter value [${field}] is not one of [${TWEET_FIELDS.join(',')}]`,
      });
    }
  }
  return errors;
}

/** A thread's conversation is its first post's id, however deep the reply. */
function conversationOf(tweet: StoredTweet, account: XAccount): string {
  let current = tweet;
  for (let depth = 0; current.inReplyToId && depth < 1000; depth++) {
    const parent = account.tweets.find((t) => t.id === current.inReplyToId);
    if (!parent) break;
    current = parent;
  }
  return current.id;
}

function tweetObject(tweet: StoredTweet, account: XAccount, fields: Set<string>) {
  const entities = {
    ...(tweet.urls.length ? { urls: tweet.urls } : {}),
    ...(tweet.hashtags.length ? { hashtags: tweet.hashtags } : {}),
  };
  return {
    id: tweet.id,
    text: tweet.apiText,
    edit_history_tweet_ids: [tweet.id],
    ...(fields.has('created_at') ? { created_at: new Date(tweet.createdAt).toISOString() } : {}),
    ...(fields.has('author_id') ? { author_id: tweet.authorId } : {}),
    ...(fields.has('conversation_id') ? { conversation_id: conversationOf(tweet, account) } : {}),
    ...(fields.has('in_reply_to_user_id') && tweet.inReplyToId
      ? { in_reply_to_user_id: account.user.id }
      : {}),
    ...(fields.has('referenced_tweets') && tweet.inReplyToId
      ? { referenced_tweets: [{ type: 'replied_to', id: tweet.inReplyToId }] }
      : {}),
    ...(fields.has('entities') && Object.keys(entities).length ? { entities } : {}),
  };
}

function notFound(value: string, resource: 'tweet' | 'user') {
  return {
    value,
    detail: `Could not find ${resource} with id: [${value}].`,
    title: 'Not Found Error',
    resource_type: resource,
    parameter: 'id',
    resource_id: value,
    type: 'https://api.twitter.com/2/problems/resource-not-found',
  };
}

type CreateDraft = {
  text: string;
  inReplyToId: string | null;
  media: Upload[];
};

/**
 * Checks a `POST /2/tweets` body as X does, answering the refusal itself; returns what to
 * commit when the post is acceptable.
 */
export function validateCreate(ex: Exchange): CreateDraft | undefined {
  const { res, account } = ex;
  const parsed = parseJson(ex);
  if (!parsed.ok) return undefined;
  const body = parsed.value;
  if (!isRecord(body)) {
    sendInvalidRequest(res, [{ message: `$: ${typeName(body)} found, object expected` }]);
    return undefined;
  }
  const errors: InvalidParameter[] = [];
  for (const key of Object.keys(body)) {
    if (!CREATE_KEYS.has(key)) {
      errors.push({
        message: `$.${key}: is not defined in the schema and the schema does not allow additional properties`,
      });
    }
  }
  if (body.text !== undefined && typeof body.text !== 'string') {
    errors.push({ message: `$.text: ${typeName(body.text)} found, string expected` });
  }
  let mediaIds: string[] = [];
  if (body.media !== undefined) {
    const ids = isRecord(body.media) ? body.media.media_ids : undefined;
    if (
      !Array.isArray(ids) ||
      ids.length < 1 ||
      ids.length > 4 ||
      !ids.every((id) => typeof id === 'string' && /^\d{1,19}$/.test(id))
    ) {
      errors.push({ message: '$.media.media_ids: must be an array of 1 to 4 numeric strings' });
    } else {
      mediaIds = ids;
    }
  }
  let inReplyToId: string | null = null;
  if (body.reply !== undefined) {
    const target = isRecord(body.reply) ? body.reply.in_reply_to_tweet_id : undefined;
    if (typeof target !== 'string' || !/^\d{1,19}$/.test(target)) {
      errors.push({ message: '$.reply.in_reply_to_tweet_id: must be a numeric string' });
    } else {
      inReplyToId = target;
    }
  }
  if (errors.length) {
    sendInvalidRequest(res, errors);
    return undefined;
  }
  if (body.edit_options !== undefined) {
    // Which plans may edit is unconfirmed (docs/networks.md); Crier corrects by delete and repost.
    sendProblem(res, 403, {
      title: 'Forbidden',
      detail: 'You are not permitted to perform this action.',
    });
    return undefined;
  }
  const text = typeof body.text === 'string' ? body.text : '';
  if (!text && mediaIds.length === 0 && body.poll === undefined && !body.quote_tweet_id) {
    sendInvalidRequest(res, [
      {
        message:
          'You must specify either a Card URI, Direct Message Deep Link, Media, Poll, Quote Tweet ID or text',
      },
    ]);
    return undefined;
  }
  if (text) {
    const measured = twitterText.parseTweet(text.normalize('NFC'));
    if (measured.weightedLength > X_MAX_WEIGHTED_LENGTH) {
      // The shape X gives an over-long text is unconfirmed (docs/networks.md: 400 or 403).
      sendInvalidRequest(res, [
        {
          parameters: { text: [text] },
          message:
            'Your Tweet text is too long. For more information on how X determines text length see https://github.com/twitter/twitter-text.',
        },
      ]);
      return undefined;
    }
    if (!measured.valid) {
      sendInvalidRequest(res, [
        { parameters: { text: [text] }, message: 'Your Tweet text contains invalid characters.' },
      ]);
      return undefined;
    }
  }
  const uploads = mediaIds.map((id) => account.uploads.get(id));
  const media = uploads.filter((u): u is Upload => u?.finalized === true);
  const single = media.filter((u) => u.category !== 'tweet_image');
  if (media.length !== mediaIds.length || (single.length > 0 && media.length > 1)) {
    sendInvalidRequest(res, [
      { parameters: { 'media.media_ids': mediaIds }, message: 'Your media IDs are invalid.' },
    ]);
    return undefined;
  }
  if (inReplyToId && !account.find(inReplyToId)) {
    sendProblem(res, 403, {
      title: 'Forbidden',
      detail: 'You attempted to reply to a Tweet that is deleted or not visible to you.',
    });
    return undefined;
  }
  if (text && account.duplicateOf(text, Date.now())) {
    sendProblem(res, 403, DUPLICATE);
    return undefined;
  }
  return { text, inReplyToId, media };
}

/** Stores an accepted post and reports it to `GET /sandbox/posts`. */
export function commitTweet(ex: Exchange, draft: CreateDraft): StoredTweet {
  const { account } = ex;
  const now = Date.now();
  const id = ex.ids.next(now);
  const { apiText, urls, hashtags } = linkify(draft.text);
  const media: StoredMedia[] = draft.media.map((u) => ({
    mimeType: u.mediaType,
    bytes: u.totalBytes,
    ...(u.alt ? { alt: u.alt } : {}),
  }));
  const tweet: StoredTweet = {
    id,
    authorId: account.user.id,
    text: draft.text,
    apiText,
    // X keeps whole seconds (`created_at` ends in `.000Z`).
    createdAt: Math.floor(snowflakeTime(id) / 1000) * 1000,
    urls,
    hashtags,
    inReplyToId: draft.inReplyToId,
    media,
    deleted: false,
  };
  account.tweets.push(tweet);
  account.recordCreate(now);
  ex.posts.add({
    platform: 'x',
    remoteId: id,
    inReplyToId: draft.inReplyToId,
    // A reader sees the text as written: X's answer escapes `& < >` and shows t.co links.
    text: draft.text,
    account: account.user.username,
    url: `https://x.com/${account.user.username}/status/${id}`,
    ...(media.length ? { media } : {}),
  });
  return tweet;
}

export function createdBody(tweet: StoredTweet) {
  return { data: { id: tweet.id, text: tweet.apiText, edit_history_tweet_ids: [tweet.id] } };
}

export function getMe(ex: Exchange) {
  const { account, url } = ex;
  const errors = checkQuery(url.searchParams, FIELD_PARAMS);
  const headers = account.readHeaders('users/me', 75, Date.now());
  if (errors.length) return sendInvalidRequest(ex.res, errors, headers);
  const fields = new Set((url.searchParams.get('user.fields') ?? '').split(','));
  const { id, name, username, createdAt } = account.user;
  sendJson(
    ex.res,
    200,
    {
      data: { id, name, username, ...(fields.has('created_at') ? { created_at: createdAt } : {}) },
    },
    headers,
  );
}

export function getTweet(ex: Exchange, id: string) {
  const { account, url } = ex;
  const headers = account.readHeaders('tweets/:id', 900, Date.now());
  const errors = checkQuery(url.searchParams, FIELD_PARAMS);
  if (!/^\d{1,19}$/.test(id)) {
    errors.push({
      parameters: { id: [id] },
      message: `The \`id\` query parameter value [${id}] does not match ^[0-9]{1,19}$`,
    });
  }
  if (errors.length) return sendInvalidRequest(ex.res, errors, headers);
  const tweet = account.find(id);
  const fields = new Set((url.searchParams.get('tweet.fields') ?? '').split(','));
  if (!tweet) return sendJson(ex.res, 200, { errors: [notFound(id, 'tweet')] }, headers);
  sendJson(ex.res, 200, { data: tweetObject(tweet, account, fields) }, headers);
}

export function deleteTweet(ex: Exchange, id: string) {
  const { account } = ex;
  const headers = account.readHeaders('DELETE tweets/:id', 50, Date.now());
  const tweet = account.find(id);
  // X's answer for an id that is not (or no longer) there is unconfirmed.
  if (!tweet) return sendJson(ex.res, 200, { data: { deleted: false } }, headers);
  tweet.deleted = true;
  ex.posts.remove('x', id);
  sendJson(ex.res, 200, { data: { deleted: true } }, headers);
}

const TIMELINE_PARAMS = [
  'id',
  'end_time',
  'exclude',
  'max_results',
  'pagination_token',
  'since_id',
  'start_time',
  'until_id',
  ...FIELD_PARAMS,
];

/** `GET /2/users/:id/tweets`: newest first, X's filters, opaque pagination tokens. */
export function getUserTweets(ex: Exchange, userId: string) {
  const { account, url, res } = ex;
  const query = url.searchParams;
  const headers = account.readHeaders('users/:id/tweets', 900, Date.now());
  const errors = checkQuery(query, TIMELINE_PARAMS);
  const maxResults = Number(query.get('max_results') ?? '10');
  if (!Number.isInteger(maxResults) || maxResults < 5 || maxResults > 100) {
    errors.push({
      parameters: { max_results: [query.get('max_results') ?? ''] },
      message: `The \`max_results\` query parameter value [${query.get('max_results')}] is not between 5 and 100`,
    });
  }
  const times: Record<'start_time' | 'end_time', number | undefined> = {
    start_time: undefined,
    end_time: undefined,
  };
  for (const name of ['start_time', 'end_time'] as const) {
    const value = query.get(name);
    if (value === null) continue;
    if (!RFC3339.test(value) || Number.isNaN(Date.parse(value))) {
      errors.push({
        parameters: { [name]: [value] },
        message: `Invalid '${name}':'${value}'. '${name}' must be a valid RFC3339 date.`,
      });
    } else {
      times[name] = Date.parse(value);
    }
  }
  for (const name of ['since_id', 'until_id']) {
    const value = query.get(name);
    if (value !== null && !/^\d{1,19}$/.test(value)) {
      errors.push({
        parameters: { [name]: [value] },
        message: `The \`${name}\` query parameter value [${value}] does not match ^[0-9]{1,19}$`,
      });
    }
  }
  const exclude = (query.get('exclude') ?? '').split(',').filter(Boolean);
  for (const value of exclude) {
    if (value !== 'replies' && value !== 'retweets') {
      errors.push({
        parameters: { exclude: [query.get('exclude') ?? ''] },
        message: `The \`exclude\` query parameter value [${value}] is not one of [replies,retweets]`,
      });
    }
  }
  let before: string | undefined;
  const token = query.get('pagination_token');
  if (token !== null) {
    const decoded = Buffer.from(token, 'base64url').toString('utf8');
    if (!/^before:\d{1,19}$/.test(decoded)) {
      errors.push({
        parameters: { pagination_token: [token] },
        message: `The \`pagination_token\` query parameter value [${token}] is not valid`,
      });
    } else {
      before = decoded.slice('before:'.length);
    }
  }
  if (!/^\d{1,19}$/.test(userId)) {
    errors.push({
      parameters: { id: [userId] },
      message: `The \`id\` query parameter value [${userId}] does not match ^[0-9]{1,19}$`,
    });
  }
  if (errors.length) return sendInvalidRequest(res, errors, headers);
  if (userId !== account.user.id) {
    return sendJson(res, 200, { errors: [notFound(userId, 'user')] }, headers);
  }

  const sinceId = query.get('since_id');
  const untilId = query.get('until_id');
  const matching = account.tweets
    .filter(
      (t) =>
        !t.deleted &&
        (times.start_time === undefined || t.createdAt >= times.start_time) &&
        (times.end_time === undefined || t.createdAt <= times.end_time) &&
        (sinceId === null || compareIds(t.id, sinceId) > 0) &&
        (untilId === null || compareIds(t.id, untilId) < 0) &&
        (before === undefined || compareIds(t.id, before) < 0) &&
        !(exclude.includes('replies') && t.inReplyToId !== null),
    )
    .sort((a, b) => compareIds(b.id, a.id));
  const page = matching.slice(0, maxResults);
  const fields = new Set((query.get('tweet.fields') ?? '').split(','));
  const newest = page[0];
  const oldest = page.at(-1);
  if (!newest || !oldest) return sendJson(res, 200, { meta: { result_count: 0 } }, headers);
  sendJson(
    res,
    200,
    {
      data: page.map((t) => tweetObject(t, account, fields)),
      meta: {
        result_count: page.length,
        newest_id: newest.id,
        oldest_id: oldest.id,
        ...(matching.length > page.length
          ? { next_token: Buffer.from(`before:${oldest.id}`).toString('base64url') }
          : {}),
      },
    },
    headers,
  );
}

function uploadData(upload: Upload) {
  return { id: upload.id, media_key: upload.mediaKey };
}

export function initializeUpload(ex: Exchange) {
  const parsed = parseJson(ex);
  if (!parsed.ok) return;
  const body = parsed.value;
  const mediaType = isRecord(body) ? body.media_type : undefined;
  const totalBytes = isRecord(body) ? body.total_bytes : undefined;
  const requested = isRecord(body) ? body.media_category : undefined;
  const errors: InvalidParameter[] = [];
  if (typeof mediaType !== 'string') errors.push({ message: '$.media_type: is missing' });
  if (typeof totalBytes !== 'number' || !Number.isInteger(totalBytes) || totalBytes < 1) {
    errors.push({ message: '$.total_bytes: must be a positive integer' });
  }
  const categoryName =
    typeof requested === 'string'
      ? requested
      : typeof mediaType === 'string' && mediaType.startsWith('video/')
        ? 'tweet_video'
        : 'tweet_image';
  const category = MEDIA_CATEGORIES[categoryName];
  if (!category) {
    errors.push({ message: `$.media_category: [${categoryName}] is not supported` });
  } else if (typeof mediaType === 'string' && !category.types.includes(mediaType)) {
    errors.push({ message: `$.media_type: [${mediaType}] is not supported for ${categoryName}` });
  } else if (typeof totalBytes === 'number' && totalBytes > category.maxBytes) {
    errors.push({ message: `File size exceeds ${category.maxBytes} bytes.` });
  }
  if (errors.length || !category || typeof mediaType !== 'string') {
    return sendInvalidRequest(ex.res, errors);
  }
  const id = ex.ids.next();
  const upload: Upload = {
    id,
    mediaKey: `${category.key}_${id}`,
    mediaType,
    category: categoryName,
    totalBytes: Number(totalBytes),
    segments: new Map(),
    finalized: false,
    createdAt: Date.now(),
  };
  ex.account.uploads.set(id, upload);
  sendJson(ex.res, 200, {
    data: { ...uploadData(upload), expires_after_secs: MEDIA_EXPIRES_SECONDS },
  });
}

function findUpload(ex: Exchange, id: string): Upload | undefined {
  const upload = ex.account.uploads.get(id);
  if (!upload) {
    sendInvalidRequest(ex.res, [
      { parameters: { id: [id] }, message: `Media id [${id}] is not a pending upload` },
    ]);
  }
  return upload;
}

export function appendUpload(ex: Exchange, id: string, parts: { name: string; data: Buffer }[]) {
  const upload = findUpload(ex, id);
  if (!upload) return;
  if (upload.finalized) {
    return sendInvalidRequest(ex.res, [{ message: 'Media is already finalized' }]);
  }
  const index = Number(parts.find((p) => p.name === 'segment_index')?.data.toString('utf8'));
  const media = parts.find((p) => p.name === 'media');
  const encoded = parts.find((p) => p.name === 'media_data');
  const bytes = media
    ? media.data.length
    : encoded
      ? Buffer.from(encoded.data.toString('utf8'), 'base64').length
      : -1;
  if (!Number.isInteger(index) || index < 0 || index > 999 || bytes < 1) {
    return sendInvalidRequest(ex.res, [
      { message: 'segment_index (0-999) and media (or media_data) are required' },
    ]);
  }
  upload.segments.set(index, bytes);
  // X answers 2xx here; twitter-api-v2 ignores the body (its shape is unconfirmed).
  sendJson(ex.res, 200, {
    data: { expires_at: Math.floor(upload.createdAt / 1000) + MEDIA_EXPIRES_SECONDS },
  });
}

export function finalizeUpload(ex: Exchange, id: string) {
  const upload = findUpload(ex, id);
  if (!upload) return;
  const received = [...upload.segments.values()].reduce((sum, n) => sum + n, 0);
  if (received !== upload.totalBytes) {
    return sendInvalidRequest(ex.res, [
      { message: 'Segments do not add up to provided total file size.' },
    ]);
  }
  upload.finalized = true;
  const video = upload.category.endsWith('video');
  sendJson(ex.res, 200, {
    data: {
      ...uploadData(upload),
      size: upload.totalBytes,
      expires_after_secs: MEDIA_EXPIRES_SECONDS,
      ...(video ? { processing_info: { state: 'pending', check_after_secs: 1 } } : {}),
    },
  });
}

export function uploadStatus(ex: Exchange) {
  const query = ex.url.searchParams;
  const id = query.get('media_id') ?? '';
  if (query.get('command') !== 'STATUS') {
    return sendInvalidRequest(ex.res, [{ message: 'command must be STATUS' }]);
  }
  const upload = findUpload(ex, id);
  if (!upload) return;
  sendJson(ex.res, 200, {
    data: {
      ...uploadData(upload),
      processing_info: upload.finalized
        ? { state: 'succeeded', progress_percent: 100 }
        : { state: 'pending', check_after_secs: 1 },
    },
  });
}

export function setMediaMetadata(ex: Exchange) {
  const parsed = parseJson(ex);
  if (!parsed.ok) return;
  const body = parsed.value;
  const id = isRecord(body) && typeof body.id === 'string' ? body.id : '';
  const metadata = isRecord(body) && isRecord(body.metadata) ? body.metadata : undefined;
  const alt = metadata && isRecord(metadata.alt_text) ? metadata.alt_text.text : undefined;
  if (typeof alt !== 'string' || [...alt].length > 1000) {
    return sendInvalidRequest(ex.res, [
      { message: '$.metadata.alt_text.text: a string of at most 1000 characters is required' },
    ]);
  }
  const upload = findUpload(ex, id);
  if (!upload) return;
  upload.alt = alt;
  sendJson(ex.res, 200, {
    data: { id: upload.id, associated_metadata: { alt_text: { text: alt } } },
  });
}
