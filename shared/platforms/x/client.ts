/**
 * Crier's X client: posts a share with twitter-api-v2 (OAuth 1.0a user context), each part
 * of its thread as a reply to the one before, and, after an unknown outcome, looks for
 * the post on the account's timeline (docs/networks.md, X).
 * Crier's X client: posts a share with twitter-api-v2 (OAuth 1.0a user context), after
 * an unknown outcome looks for the post on the account's timeline, and deletes it when
 * its article is withdrawn (docs/networks.md, X).
 */
import { createHash } from 'node:crypto';
import { Agent } from 'node:http';
import type { LookupFunction } from 'node:net';
import {
  ApiPartialResponseError,
  ApiRequestError,
  ApiResponseError,
  type ITwitterApiClientPlugin,
  TwitterApi,
  type TwitterRateLimit,
} from 'twitter-api-v2';
import { z } from 'zod';
import type { Share } from '../../domain/share';
import type {
  ClientCall,
  NetworkClient,
  PublishOutcome,
  ReconcileOutcome,
  ReplyCall,
  WithdrawCall,
  WithdrawOutcome,
} from '../client';
import { settleBefore } from '../transport';
import { parseXCredentials, type XCredentials } from './credentials';

export { xCredentialsSchema } from './credentials';

/** X has no idempotency key: a retry of a posted text meets this 403 instead. */
const DUPLICATE = /duplicate content/i;
/** X's 403s that say the app or token may not post at all: an operator's matter. */
const PERMISSION =
  /client-forbidden|unsupported-authentication|oauth1 app permissions|not permitted to use/i;
/** Failures that happen before a byte reaches X: the post was certainly not made. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** When a 429 carries no reset header: X's windows are 15 minutes. */
const FALLBACK_RATE_MS = 15 * 60_000;
/** X keeps whole seconds and its clock is not ours: a post this early is still the share's. */
const CLOCK_MARGIN_MS = 5_000;
/**
 * How far back reconcile also looks for the same text posted before the claim: X refuses a
 * repeat of it as a duplicate ("recently": X gives no window), so the share can never go out.
 */
const DUPLICATE_LOOKBACK_MS = 24 * 60 * 60_000;
/** Read quotas are tiny on low plans: at most this many timeline pages of 100 per reconcile. */
const MAX_PAGES = 5;
const USERNAME = /^@?([A-Za-z0-9_]{1,15})$/;
/** X's epoch: an id holds its creation time in milliseconds since then, shifted 22 bits. */
const X_EPOCH_MS = 1288834974657n;
const X_HOSTS = new Set(['api.x.com', 'upload.x.com']);

const createdSchema = z.object({ data: z.object({ id: z.string().regex(/^\d{1,19}$/) }) });
const meSchema = z.object({
  data: z.object({ id: z.string().regex(/^\d{1,19}$/), username: z.string().min(1) }),
});
const problemSchema = z.object({
  title: z.string().optional(),
  detail: z.string().optional(),
  type: z.string().optional(),
  errors: z.array(z.object({ message: z.string().optional() })).optional(),
});
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
type Identity = { id: string; username: string };

class DeadlineError extends Error {
  override name = 'DeadlineError';
}

class UnexpectedAnswerError extends Error {
  override name = 'UnexpectedAnswerError';
}

/**
 * twitter-api-v2 always calls `https.request`. For the sandbox, an `http.Agent` whose
 * lookup sends X's host names to loopback lets the library keep those names (its body
 * formats depend on them) while the plugin below swaps scheme and port.
 */
const sandboxAgents = new Map<string, Agent>();

function sandboxAgent(base: URL): Agent {
  const existing = sandboxAgents.get(base.origin);
  if (existing) return existing;
  const address =
    base.hostname === 'localhost' ? '127.0.0.1' : base.hostname.replace(/^\[|\]$/g, '');
  const family = address.includes(':') ? 6 : 4;
  const lookup: LookupFunction = (hostname, options, callback) => {
    if (!X_HOSTS.has(hostname)) {
      const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
      error.code = 'ENOTFOUND';
      callback(error, '', family);
    } else if (options.all) {
      callback(null, [{ address, family }]);
    } else {
      callback(null, address, family);
    }
  };
  const agent = new Agent({ keepAlive: true, lookup });
  sandboxAgents.set(base.origin, agent);
  return agent;
}

/**
 * A client for one call: the plugin carries this call's deadline into every request. It
 * rewrites the URL after the library has signed it, so the OAuth signature covers the
 * real `https://api.x.com/...` URL, exactly as against X.
 */
function apiFor(credentials: XCredentials, deadline: AbortSignal): TwitterApi {
  const base = credentials.apiBase ? new URL(credentials.apiBase) : undefined;
  const plugin: ITwitterApiClientPlugin = {
    onBeforeRequest({ computedParams, requestOptions }) {
      requestOptions.signal = deadline;
      if (base) {
        computedParams.url.protocol = base.protocol;
        computedParams.url.port = base.port;
      }
    },
  };
  const { appKey, appSecret, accessToken, accessSecret } = credentials;
  return new TwitterApi(
    { appKey, appSecret, accessToken, accessSecret },
    { plugins: [plugin], ...(base ? { httpAgent: sandboxAgent(base) } : {}) },
  );
}

/** Settles with `promise`, or fails with a DeadlineError the moment `deadline` aborts. */
function within<T>(promise: Promise<T>, deadline: AbortSignal): Promise<T> {
  return settleBefore(promise, deadline, () => new DeadlineError('deadline passed'));
}

/** users/me per token, kept for the module's life: its read quota is small. */
const identities = new Map<string, Identity>();
const MAX_IDENTITIES = 100;

function identityKey(credentials: XCredentials): string {
  return createHash('sha256')
    .update([credentials.apiBase ?? '', credentials.appKey, credentials.accessToken].join('\n'))
    .digest('hex');
}

async function identify(
  api: TwitterApi,
  credentials: XCredentials,
  deadline: AbortSignal,
): Promise<Identity> {
  const key = identityKey(credentials);
  const cached = identities.get(key);
  if (cached) return cached;
  const me = meSchema.safeParse(await within(api.v2.me(), deadline));
  if (!me.success) throw new UnexpectedAnswerError('users/me answered without id and username');
  const identity = { id: me.data.data.id, username: me.data.data.username };
  if (identities.size >= MAX_IDENTITIES) {
    const oldest = identities.keys().next().value;
    if (oldest !== undefined) identities.delete(oldest);
  }
  identities.set(key, identity);
  return identity;
}

function postUrl(username: string | undefined, id: string): string {
  return username ? `https://x.com/${username}/status/${id}` : `https://x.com/i/web/status/${id}`;
}

function describe(error: ApiResponseError): string {
  const problem = problemSchema.safeParse(error.data);
  const detail = problem.success
    ? [
        problem.data.detail ?? problem.data.title,
        ...(problem.data.errors ?? []).map((e) => e.message),
      ]
        .filter(Boolean)
        .join('; ')
    : '';
  return `X answered ${error.code}${detail ? `: ${detail.slice(0, 300)}` : ''}`;
}

function problemText(error: ApiResponseError): string {
  const problem = problemSchema.safeParse(error.data);
  if (!problem.success) return '';
  const { title, detail, type, errors } = problem.data;
  return [title, detail, type, ...(errors ?? []).map((e) => e.message)].join(' ');
}

/** The later of the exhausted resets (Unix seconds), as an ISO instant. */
function rateUntil(rate: TwitterRateLimit | undefined, now = Date.now()): string {
  const resets: number[] = [];
  if (rate) {
    if (rate.userDay?.remaining === 0) resets.push(rate.userDay.reset);
    if (rate.day?.remaining === 0) resets.push(rate.day.reset);
    if (rate.remaining === 0 || resets.length === 0) resets.push(rate.reset);
  }
  const known = resets.filter((r) => Number.isFinite(r) && r > 0).map((r) => r * 1000);
  const until = known.length ? Math.max(...known) : now + FALLBACK_RATE_MS;
  return new Date(Math.max(until, now)).toISOString();
}

const causeSchema = z.object({ error: z.instanceof(Error) });
const codeSchema = z.object({ code: z.string() });

/**
 * twitter-api-v2 1.29.1's `ApiRequestError.requestError` reads a property the constructor
 * never sets (always undefined); the socket error sits in its private `_options.error`.
 */
function connectionCode(error: ApiRequestError): string {
  const cause = causeSchema.safeParse(Reflect.get(error, '_options'));
  if (!cause.success) return 'unknown';
  const inner = cause.data.error;
  const code = codeSchema.safeParse(inner);
  if (code.success) return code.data.code;
  // Node's happy-eyeballs connect reports every address's failure in an AggregateError.
  const first = inner instanceof AggregateError ? codeSchema.safeParse(inner.errors[0]) : undefined;
  return first?.success ? first.data.code : inner.name;
}

/** After the create request may have reached X: anything unclear is `unknown`. */
function createFailure(error: unknown, deadline: AbortSignal, timeoutMs: number): PublishOutcome {
  if (error instanceof DeadlineError || deadline.aborted) {
    return {
      kind: 'unknown',
      message: `No answer from X within ${timeoutMs} ms of sending the post; it may exist`,
    };
  }
  if (error instanceof ApiResponseError) {
    const message = describe(error);
    if (error.code === 401) return { kind: 'auth', message };
    if (error.code === 403 && DUPLICATE.test(problemText(error))) {
      return {
        kind: 'unknown',
        message: `${message} (an earlier attempt probably posted this text)`,
      };
    }
    if (error.code === 403 && PERMISSION.test(problemText(error))) return { kind: 'auth', message };
    if (error.code === 429) return { kind: 'rate', until: rateUntil(error.rateLimit), message };
    if (error.code >= 500) return { kind: 'unknown', message };
    return { kind: 'rejected', message };
  }
  if (error instanceof ApiPartialResponseError) {
    return {
      kind: 'unknown',
      message: `X's answer to the post was cut off (HTTP ${error.response.statusCode})`,
    };
  }
  if (error instanceof ApiRequestError) {
    const code = connectionCode(error);
    return NOT_SENT.has(code)
      ? { kind: 'retry', message: `Could not reach X (${code}); nothing was sent` }
      : {
          kind: 'unknown',
          message: `The connection to X failed after the post was sent (${code})`,
        };
  }
  const name = error instanceof Error ? error.name : typeof error;
  return { kind: 'unknown', message: `Unexpected failure while posting to X (${name})` };
}

/**
 * Before the create nothing is posted: a failure is `auth`, or `retry`; a users/me rate
 * limit only costs the username in the URL (undefined: go on and post).
 */
function identifyFailure(error: unknown, timeoutMs: number): PublishOutcome | undefined {
  if (error instanceof DeadlineError) {
    return {
      kind: 'retry',
      message: `No answer from X users/me within ${timeoutMs} ms; nothing was posted`,
    };
  }
  if (error instanceof ApiResponseError) {
    if (error.code === 401 || error.code === 403) return { kind: 'auth', message: describe(error) };
    if (error.code === 429) return undefined;
    return { kind: 'retry', message: `${describe(error)} on users/me; nothing was posted` };
  }
  if (error instanceof ApiRequestError) {
    return {
      kind: 'retry',
      message: `Could not reach X (${connectionCode(error)}); nothing was posted`,
    };
  }
  const name = error instanceof Error ? error.name : typeof error;
  return { kind: 'retry', message: `X users/me failed (${name}); nothing was posted` };
}

function lookupFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof DeadlineError) return `No answer from X within ${timeoutMs} ms`;
  if (error instanceof ApiResponseError) {
    return error.code === 429
      ? `X rate-limited the lookup until ${rateUntil(error.rateLimit)}`
      : describe(error);
  }
  if (error instanceof ApiRequestError) return `Could not reach X (${connectionCode(error)})`;
  return `The lookup failed (${error instanceof Error ? error.name : typeof error})`;
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

/** One post: the share's own, or a part of its thread answering `inReplyTo`. */
async function post(call: ClientCall, text: string, inReplyTo?: string): Promise<PublishOutcome> {
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

  let answer: unknown;
  try {
    answer = await within(
      api.v2.tweet({ text, ...(inReplyTo ? { reply: { in_reply_to_tweet_id: inReplyTo } } : {}) }),
      deadline,
    );
  } catch (error) {
    const outcome = createFailure(error, deadline, call.timeoutMs);
    if (outcome.kind === 'auth') identities.delete(identityKey(credentials));
    return outcome;
  }
  const created = createdSchema.safeParse(answer);
  if (!created.success) {
    return { kind: 'unknown', message: 'X accepted the post but answered without its id' };
  }
  const remoteId = created.data.data.id;
  return { kind: 'published', remoteId, remoteUrl: postUrl(username, remoteId) };
}

const publish = (call: ClientCall) => post(call, call.share.text);

async function publishReply(call: ReplyCall): Promise<PublishOutcome> {
  const text = call.share.thread?.[call.index];
  if (text === undefined)
    return { kind: 'rejected', message: `The share has no part ${call.index + 2}` };
  // X has no idempotency key: a repeat of this part after an unknown outcome meets the
  // duplicate 403, which is unknown again, and reconcile finds the part.
  return post(call, text, call.parentId);
}

/** When X minted an id (its top bits count milliseconds since X's epoch). */
function idTime(id: string): number {
  return Number((BigInt(id) >> 22n) + X_EPOCH_MS);
}

/**
 * Whether a part is out: on the account's timeline since its parent was posted (the
 * parent's id says when), replies included, a post that answers the parent. Only this
 * share's parts answer the parent from this account.
 */
async function reconcileReply(call: ReplyCall): Promise<ReconcileOutcome> {
  const parsed = parseXCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'unsure', reason: parsed.message };
  const { credentials } = parsed;
  const text = call.share.thread?.[call.index];
  if (text === undefined)
    return { kind: 'unsure', reason: `The share has no part ${call.index + 2}` };
  if (!/^\d{1,19}$/.test(call.parentId)) {
    return { kind: 'unsure', reason: `${call.parentId} is not an X post id` };
  }
  const from = idTime(call.parentId) - CLOCK_MARGIN_MS;
  const deadline = AbortSignal.timeout(call.timeoutMs);
  const api = apiFor(credentials, deadline);
  try {
    const identity = await identify(api, credentials, deadline);
    let paginationToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const timeline = await within(
        api.v2.userTimeline(identity.id, {
          max_results: 100,
          start_time: rfc3339Seconds(from),
          exclude: ['retweets'],
          'tweet.fields': ['created_at', 'entities', 'referenced_tweets'],
          ...(paginationToken ? { pagination_token: paginationToken } : {}),
        }),
        deadline,
      );
      const body = timelineSchema.safeParse(timeline.data);
      if (!body.success) {
        return { kind: 'unsure', reason: 'X answered the timeline in an unknown shape' };
      }
      const posts = body.data.data ?? [];
      const errors = body.data.errors ?? [];
      if (posts.length === 0 && errors.length > 0) {
        return { kind: 'unsure', reason: `X: ${errors.map((e) => e.detail).join('; ')}` };
      }
      // Only the reply that names the parent: the same text on its own could be an
      // older post of the same standfirst, which X's clock margin lets into the window.
      const match = posts.find((p) =>
        (p.referenced_tweets ?? []).some((r) => r.type === 'replied_to' && r.id === call.parentId),
      );
      if (match) {
        return {
          kind: 'found',
          remoteId: match.id,
          remoteUrl: postUrl(identity.username, match.id),
        };
      }
      paginationToken = body.data.meta?.next_token;
      if (!paginationToken) return { kind: 'absent' };
    }
    return {
      kind: 'unsure',
      reason: `More than ${MAX_PAGES * 100} posts since ${call.parentId}; not all were checked`,
    };
  } catch (error) {
    return { kind: 'unsure', reason: lookupFailure(error, call.timeoutMs) };
  }
}

async function reconcile(call: ClientCall): Promise<ReconcileOutcome> {
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
      const timeline = await within(
        api.v2.userTimeline(identity.id, {
          max_results: 100,
          start_time: rfc3339Seconds(from - DUPLICATE_LOOKBACK_MS),
          exclude: ['replies', 'retweets'],
          'tweet.fields': ['created_at', 'entities'],
          ...(paginationToken ? { pagination_token: paginationToken } : {}),
        }),
        deadline,
      );
      const body = timelineSchema.safeParse(timeline.data);
      if (!body.success) {
        return { kind: 'unsure', reason: 'X answered the timeline in an unknown shape' };
      }
      const posts = body.data.data ?? [];
      const errors = body.data.errors ?? [];
      if (posts.length === 0 && errors.length > 0) {
        return { kind: 'unsure', reason: `X: ${errors.map((e) => e.detail).join('; ')}` };
      }
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
      paginationToken = body.data.meta?.next_token;
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

const deletedSchema = z.object({ data: z.object({ deleted: z.boolean() }) });

/** A delete is safe to repeat: whatever did not clearly finish is tried again. */
function deleteFailure(error: unknown, timeoutMs: number): WithdrawOutcome {
  if (error instanceof DeadlineError) {
    return { kind: 'retry', message: `No answer from X to the delete within ${timeoutMs} ms` };
  }
  if (error instanceof ApiResponseError) {
    const message = describe(error);
    if (error.code === 404) return { kind: 'withdrawn', note: 'the post was already gone' };
    if (error.code === 401) return { kind: 'auth', message };
    if (error.code === 403 && PERMISSION.test(problemText(error))) return { kind: 'auth', message };
    if (error.code === 429) return { kind: 'rate', until: rateUntil(error.rateLimit), message };
    if (error.code >= 500) return { kind: 'retry', message };
    return { kind: 'rejected', message };
  }
  if (error instanceof ApiRequestError) {
    return { kind: 'retry', message: `Could not reach X (${connectionCode(error)})` };
  }
  const name = error instanceof Error ? error.name : typeof error;
  return { kind: 'retry', message: `The delete on X failed (${name})` };
}

/** Deletes the post; Crier does not edit on X (docs/networks.md: an edit is a new post id). */
async function withdraw(call: WithdrawCall): Promise<WithdrawOutcome> {
  if (call.action !== 'delete') {
    return { kind: 'rejected', message: 'Crier does not edit posts on X: edit it by hand' };
  }
  const id = call.share.remoteId;
  if (!id) return { kind: 'rejected', message: 'The share has no remote id to delete' };
  const parsed = parseXCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'auth', message: parsed.message };
  const deadline = AbortSignal.timeout(call.timeoutMs);
  const api = apiFor(parsed.credentials, deadline);
  try {
    const answer = deletedSchema.safeParse(await within(api.v2.deleteTweet(id), deadline));
    if (!answer.success)
      return { kind: 'retry', message: 'X answered the delete in an unknown shape' };
    // X answers `deleted: false` for a post it no longer has.
    return answer.data.data.deleted
      ? { kind: 'withdrawn' }
      : { kind: 'withdrawn', note: 'the post was already gone' };
  } catch (error) {
    return deleteFailure(error, call.timeoutMs);
  }
}

export const xClient: NetworkClient = {
  publish,
  reconcile,
  replies: { publish: publishReply, reconcile: reconcileReply },
  withdraw,
};
