/**
 * The X sandbox's read routes, each answering with X's status codes and body shapes
 * (docs/networks.md, X): lookup and delete a post, users/me, and the user timeline.
 */
import type { StoredTweet, XAccount } from './account';
import { type Exchange, type InvalidParameter, sendInvalidRequest, sendJson } from './http';
import { tweetMetrics } from './metrics';

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
  const { metrics, errors: withheld } = tweetMetrics(ex, tweet, fields, Date.now());
  sendJson(
    ex.res,
    200,
    {
      data: { ...tweetObject(tweet, account, fields), ...metrics },
      ...(withheld.length ? { errors: withheld } : {}),
    },
    headers,
  );
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
/** The timeline's query as X checks it: the errors, in X's order, and what it asks for. */
function timelineQuery(query: URLSearchParams, userId: string) {
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
  return { errors, maxResults, times, exclude, before };
}

export function getUserTweets(ex: Exchange, userId: string) {
  const { account, url, res } = ex;
  const query = url.searchParams;
  const headers = account.readHeaders('users/:id/tweets', 900, Date.now());
  const { errors, maxResults, times, exclude, before } = timelineQuery(query, userId);
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
