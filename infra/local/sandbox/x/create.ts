/** `POST /2/tweets`: X's checks of a create, the commit, and the created body. */
import twitterText from 'twitter-text';
import { isRecord } from '../kit/http';
import { linkify, type StoredMedia, type StoredTweet, snowflakeTime, type Upload } from './account';
import {
  DUPLICATE,
  type Exchange,
  type InvalidParameter,
  parseJson,
  sendInvalidRequest,
  sendProblem,
  typeName,
} from './http';

export const X_MAX_WEIGHTED_LENGTH = 280;

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

type CreateDraft = {
  text: string;
  inReplyToId: string | null;
  media: Upload[];
};

/** The body's shape as X's schema checks it: the errors, and the ids it names. */
function schemaErrors(body: Record<string, unknown>) {
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
  return { errors, mediaIds, inReplyToId };
}

/** X's refusal of a text it cannot post, if it refuses it. */
function textRefusal(text: string): InvalidParameter | undefined {
  const measured = twitterText.parseTweet(text.normalize('NFC'));
  if (measured.weightedLength > X_MAX_WEIGHTED_LENGTH) {
    // The shape X gives an over-long text is unconfirmed (docs/networks.md: 400 or 403).
    return {
      parameters: { text: [text] },
      message:
        'Your Tweet text is too long. For more information on how X determines text length see https://github.com/twitter/twitter-text.',
    };
  }
  if (!measured.valid) {
    return {
      parameters: { text: [text] },
      message: 'Your Tweet text contains invalid characters.',
    };
  }
  return undefined;
}

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
  const { errors, mediaIds, inReplyToId } = schemaErrors(body);
  if (errors.length) return void sendInvalidRequest(res, errors);
  if (body.edit_options !== undefined) {
    // Which plans may edit is unconfirmed (docs/networks.md); Crier corrects by delete and repost.
    const detail = 'You are not permitted to perform this action.';
    return void sendProblem(res, 403, { title: 'Forbidden', detail });
  }
  const text = typeof body.text === 'string' ? body.text : '';
  if (!text && mediaIds.length === 0 && body.poll === undefined && !body.quote_tweet_id) {
    const message =
      'You must specify either a Card URI, Direct Message Deep Link, Media, Poll, Quote Tweet ID or text';
    return void sendInvalidRequest(res, [{ message }]);
  }
  const refused = text ? textRefusal(text) : undefined;
  if (refused) return void sendInvalidRequest(res, [refused]);
  const uploads = mediaIds.map((id) => account.uploads.get(id));
  const media = uploads.filter((u): u is Upload => u?.finalized === true);
  const single = media.filter((u) => u.category !== 'tweet_image');
  if (media.length !== mediaIds.length || (single.length > 0 && media.length > 1)) {
    const message = 'Your media IDs are invalid.';
    return void sendInvalidRequest(res, [{ parameters: { 'media.media_ids': mediaIds }, message }]);
  }
  if (inReplyToId && !account.find(inReplyToId)) {
    const detail = 'You attempted to reply to a Tweet that is deleted or not visible to you.';
    return void sendProblem(res, 403, { title: 'Forbidden', detail });
  }
  if (text && account.duplicateOf(text, Date.now())) return void sendProblem(res, 403, DUPLICATE);
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
