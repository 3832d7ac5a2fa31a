/**
 * X has no idempotency key, so after an unknown outcome reconcile reads the account's
 * timeline: the share's post by its link or exact text, a thread's part by the parent it
 * answers, and the same text from before the claim that X would refuse as a duplicate.
 */
import type { TweetV2UserTimelineParams, TwitterApi } from 'twitter-api-v2';
import * as z from 'zod';
import type { Share } from '../../domain/share';
import type { ClientCall, NoteCall, ReconcileOutcome, ReplyCall } from '../client';
import { apiFor, identify, postUrl, within } from './api';
import { parseXCredentials } from './credentials';
import { lookupFailure } from './errors';

/** X keeps whole seconds and its clock is not ours: a post this early is still the share's. */
const CLOCK_MARGIN_MS = 5_000;
/**
 * How far back reconcile also looks for the same text posted before the claim: X refuses a
 * repeat of it as a duplicate ("recently": X gives no window), so the share can never go out.
 */
const DUPLICATE_LOOKBACK_MS = 24 * 60 * 60_000;
/** Read quotas are tiny on low plans: at most this many timeline pages of 100 per reconcile. */
const MAX_PAGES = 5;
/** X's epoch: an id holds its creation time in milliseconds since then, shifted 22 bits. */
const X_EPOCH_MS = 1288834974657n;

const urlEntitySchema = z.object({
  url: z.string(),
  expanded_url: z.string().optional(),
  unwound_url: z.string().optional(),
});
const timelineSchema = z.object({
  data: z
    .array(
      z.object({
        id: z.string().regex(/^\d{1,19}$/),
        text: z.string(),
        created_at: z.string().optional(),
        entities: z.object({ urls: z.array(urlEntitySchema).optional() }).optional(),
        referenced_tweets: z.array(z.object({ type: z.string(), id: z.string() })).optional(),
      }),
    )
    .optional(),
  meta: z.object({ next_token: z.string().optional() }).optional(),
  errors: z.array(z.object({ detail: z.string().optional() })).optional(),
});

type TimelinePost = NonNullable<z.output<typeof timelineSchema>['data']>[number];

type Page = { ok: true; posts: TimelinePost[]; next?: string } | { ok: false; reason: string };

/** One page of the account's timeline (100 posts), or why it says nothing usable. */
async function timelinePage(
  api: TwitterApi,
  userId: string,
  params: Partial<TweetV2UserTimelineParams>,
  deadline: AbortSignal,
): Promise<Page> {
  const timeline = await within(
    api.v2.userTimeline(userId, { max_results: 100, ...params }),
    deadline,
  );
  const body = timelineSchema.safeParse(timeline.data);
  if (!body.success) {
    return { ok: false, reason: 'X answered the timeline in an unknown shape' };
  }
  const posts = body.data.data ?? [];
  const errors = body.data.errors ?? [];
  if (posts.length === 0 && errors.length > 0) {
    return { ok: false, reason: `X: ${errors.map((e) => e.detail).join('; ')}` };
  }
  return { ok: true, posts, next: body.data.meta?.next_token };
}

function normalizeUrl(value: string): string {
  try {
    return new URL(value).href;
  } catch {
    return value;
  }
}

function unescapeText(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function sameText(post: TimelinePost, expected: string): boolean {
  let text = post.text;
  for (const u of post.entities?.urls ?? []) {
    if (u.expanded_url) text = text.split(u.url).join(u.expanded_url);
  }
  return unescapeText(text).normalize('NFC').trim() === expected.normalize('NFC').trim();
}

/** The share's own link, or failing that its exact text (t.co links expanded). */
function isShare(post: TimelinePost, share: Share): boolean {
  const target = normalizeUrl(share.url);
  const linked = (post.entities?.urls ?? []).some((u) =>
    [u.expanded_url, u.unwound_url].some((x) => x !== undefined && normalizeUrl(x) === target),
  );
  return linked || sameText(post, share.text);
}

function rfc3339Seconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** When X minted an id (its top bits count milliseconds since X's epoch). */
function idTime(id: string): number {
  return Number((BigInt(id) >> 22n) + X_EPOCH_MS);
}

/**
 * Whether a reply is out: on the account's timeline since its parent was posted (the
 * parent's id says when), replies included, a post that answers the parent and, where
 * `text` is given, says it. Only a share's own parts answer the parent from this account,
 * so a part is known by its parent alone; a note is matched on its text too, since an
 * earlier note (another correction) may answer the same post.
 */
async function reconcileAnswer(
  call: ClientCall,
  parentId: string,
  text?: string,
): Promise<ReconcileOutcome> {
  const parsed = parseXCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'unsure', reason: parsed.message };
  const { credentials } = parsed;
  if (!/^\d{1,19}$/.test(parentId)) {
    return { kind: 'unsure', reason: `${parentId} is not an X post id` };
  }
  const from = idTime(parentId) - CLOCK_MARGIN_MS;
  const deadline = AbortSignal.timeout(call.timeoutMs);
  const api = apiFor(credentials, deadline);
  try {
    const identity = await identify(api, credentials, deadline);
    let paginationToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const page = await timelinePage(
        api,
        identity.id,
        {
          start_time: rfc3339Seconds(from),
          exclude: ['retweets'],
          'tweet.fields': ['created_at', 'entities', 'referenced_tweets'],
          ...(paginationToken ? { pagination_token: paginationToken } : {}),
        },
        deadline,
      );
      if (!page.ok) return { kind: 'unsure', reason: page.reason };
      const { posts } = page;
      // Only the reply that names the parent: the same text on its own could be an
      // older post of the same standfirst, which X's clock margin lets into the window.
      const match = posts.find(
        (p) =>
          (p.referenced_tweets ?? []).some((r) => r.type === 'replied_to' && r.id === parentId) &&
          (text === undefined || sameText(p, text)),
      );
      if (match) {
        return {
          kind: 'found',
          remoteId: match.id,
          remoteUrl: postUrl(identity.username, match.id),
        };
      }
      paginationToken = page.next;
      if (!paginationToken) return { kind: 'absent' };
    }
    return {
      kind: 'unsure',
      reason: `More than ${MAX_PAGES * 100} posts since ${parentId}; not all were checked`,
    };
  } catch (error) {
    return { kind: 'unsure', reason: lookupFailure(error, call.timeoutMs) };
  }
}

export function reconcileReply(call: ReplyCall): Promise<ReconcileOutcome> {
  if (call.share.thread?.[call.index] === undefined) {
    return Promise.resolve({ kind: 'unsure', reason: `The share has no part ${call.index + 2}` });
  }
  return reconcileAnswer(call, call.parentId);
}

/** A correction note: the account's reply to the parent with the note's text. */
export function reconcileNote(call: NoteCall): Promise<ReconcileOutcome> {
  return reconcileAnswer(call, call.parentId, call.text);
}

export async function reconcile(call: ClientCall): Promise<ReconcileOutcome> {
  const parsed = parseXCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'unsure', reason: parsed.message };
  const { credentials } = parsed;
  const from = Date.parse(call.share.firstClaimedAt ?? call.share.createdAt);
  if (Number.isNaN(from)) {
    return { kind: 'unsure', reason: 'The share has no claim time to look from' };
  }
  const ownFrom = from - CLOCK_MARGIN_MS;
  const deadline = AbortSignal.timeout(call.timeoutMs);
  const api = apiFor(credentials, deadline);
  try {
    const identity = await identify(api, credentials, deadline);
    let blocker: string | undefined;
    let paginationToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      // One window, newest first: the share's own post after the claim, and before it the
      // same text that would make X refuse every retry as a duplicate.
      const page = await timelinePage(
        api,
        identity.id,
        {
          start_time: rfc3339Seconds(from - DUPLICATE_LOOKBACK_MS),
          exclude: ['replies', 'retweets'],
          'tweet.fields': ['created_at', 'entities'],
          ...(paginationToken ? { pagination_token: paginationToken } : {}),
        },
        deadline,
      );
      if (!page.ok) return { kind: 'unsure', reason: page.reason };
      const { posts } = page;
      for (const post of posts) {
        const created = Date.parse(post.created_at ?? '');
        const own = Number.isNaN(created) || created >= ownFrom;
        if (own && isShare(post, call.share)) {
          return {
            kind: 'found',
            remoteId: post.id,
            remoteUrl: postUrl(identity.username, post.id),
          };
        }
        if (!own && !blocker && sameText(post, call.share.text)) blocker = post.id;
      }
      paginationToken = page.next;
      if (!paginationToken) {
        if (!blocker) return { kind: 'absent' };
        return {
          kind: 'unsure',
          reason: `Not posted, but X holds the same text from before this share was claimed (${postUrl(identity.username, blocker)}) and refuses it again as a duplicate: change the text`,
        };
      }
    }
    return {
      kind: 'unsure',
      reason: `More than ${MAX_PAGES * 100} posts in the day before the claim; not all were checked`,
    };
  } catch (error) {
    return { kind: 'unsure', reason: lookupFailure(error, call.timeoutMs) };
  }
}
