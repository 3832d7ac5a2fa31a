/**
 * Crier's Facebook Page client over plain fetch (docs/networks.md): a share becomes a link post
 * (`POST /{page-id}/feed` with `message` and `link`; Facebook scrapes the card), reconcile
 * looks through the Page feed since the first claim, and a withdrawn article's post is
 * deleted or edited; a correction note is a comment on the post, made as the Page
 * (docs/networks.md, Facebook Page).
 */
import * as z from 'zod';
import type { Share } from '../../domain/share';
import type {
  AuthRefusal,
  ClientCall,
  NetworkClient,
  NoteCall,
  PublishOutcome,
  ReconcileOutcome,
  WithdrawCall,
  WithdrawOutcome,
} from '../client';
import { isPermissionCode, regainAccessAt } from '../meta/errors';
import {
  type Answer,
  type Exchange,
  exchange,
  type RestCall,
  restCall,
  unansweredCreate,
  unansweredLookup,
} from '../rest/http';
import { sameLink } from '../rest/link';
import { type FacebookCredentials, parseFacebookCredentials } from './credentials';
import { readFacebookMetrics } from './metrics';

export { facebookCredentialsSchema } from './credentials';

const GRAPH = 'https://graph.facebook.com';
/** Token invalid, expired or missing (102, 104, 190); a permission gone (10, 200-299) is apart. */
const AUTH_CODES = new Set([102, 104, 190]);
/** Throttling: app (4), user (17), Page (32), application limit (341), custom (613), Pages BUC (80001). */
const THROTTLE_CODES = new Set([4, 17, 32, 341, 613, 80001]);
/** "An unknown error" / "Please retry your request later": Facebook may have posted anyway (Findings 5). */
const TRANSIENT_CODES = new Set([1, 2]);
/** "Duplicate status message": an earlier attempt likely posted this. */
const DUPLICATE = 506;
/**
 * 368 is both "You've already posted this" (a duplicate: likely posted) and "temporarily
 * blocked for policies violations" (certainly not posted: wait and retry); the message tells.
 */
const BLOCKED = 368;
const ALREADY_POSTED = /already posted/i;
/** Facebook could not scrape the link: nothing was posted, and the page may answer later. */
const LINK_SCRAPE_FAILED = 1609005;
/** When a throttle names no time to regain access: the BUC window is rolling, so wait a while. */
const DEFAULT_RATE_WAIT_MS = 10 * 60_000;
/** Facebook's clock is not ours: a post this much before the claim may still be the share's. */
const CLOCK_SKEW_MS = 5 * 60_000;
/** The feed edge's page size, and how many pages one reconcile reads at most. */
const PAGE_SIZE = 100;
const MAX_PAGES = 5;
const FEED_FIELDS = 'id,message,permalink_url,attachments{unshimmed_url,url}';

const graphErrorSchema = z.object({
  error: z.object({
    message: z.string().optional(),
    type: z.string().optional(),
    code: z.number(),
    error_subcode: z.number().optional(),
  }),
});
type GraphError = z.output<typeof graphErrorSchema>['error'];

const createdSchema = z.object({ id: z.string().regex(/^\d+(?:_\d+)?$/) });

const feedPostSchema = z.object({
  id: z.string(),
  message: z.string().optional(),
  permalink_url: z.string().optional(),
  attachments: z
    .object({
      data: z.array(z.object({ unshimmed_url: z.string().optional(), url: z.string().optional() })),
    })
    .optional(),
});
type FeedPost = z.output<typeof feedPostSchema>;

const feedSchema = z.object({
  data: z.array(feedPostSchema),
  paging: z
    .object({
      cursors: z.object({ after: z.string().optional() }).optional(),
      next: z.string().optional(),
    })
    .optional(),
});

type Api = RestCall<FacebookCredentials>;

function graphUrl(api: Api, path: string, query: Record<string, string> = {}): URL {
  const target = new URL(
    `/${api.credentials.apiVersion}/${path}`,
    api.credentials.apiBase ?? GRAPH,
  );
  for (const [name, value] of Object.entries(query)) target.searchParams.set(name, value);
  return target;
}

function graphGet(api: Api, path: string, query: Record<string, string>): Promise<Exchange> {
  return exchange(
    graphUrl(api, path, { ...query, access_token: api.credentials.pageAccessToken }),
    { method: 'GET', signal: api.deadline },
  );
}

/** A Graph write: parameters as a form body, the token among them (never in the URL). */
function graphPost(api: Api, path: string, params: Record<string, string>): Promise<Exchange> {
  return exchange(graphUrl(api, path), {
    method: 'POST',
    body: new URLSearchParams({ ...params, access_token: api.credentials.pageAccessToken }),
    signal: api.deadline,
  });
}

function graphError(answer: Answer): GraphError | undefined {
  const parsed = graphErrorSchema.safeParse(answer.body);
  return parsed.success ? parsed.data.error : undefined;
}

function describe(answer: Answer): string {
  const error = graphError(answer);
  if (!error) return `Facebook answered ${answer.status}`;
  const kind = [
    error.type,
    `code ${error.code}`,
    error.error_subcode && `subcode ${error.error_subcode}`,
  ]
    .filter(Boolean)
    .join(', ');
  return `Facebook answered ${answer.status} (${kind})${error.message ? `: ${error.message.slice(0, 300)}` : ''}`;
}

/** The latest `estimated_time_to_regain_access` (minutes) in the usage header, as an instant. */
function rateUntil(answer: Answer, now = Date.now()): string {
  // An unreadable header says nothing: fall back to the default wait.
  return new Date(regainAccessAt(answer.headers, now) ?? now + DEFAULT_RATE_WAIT_MS).toISOString();
}

/** Graph's refusal of the credentials: a dead token, or (`permission`) one lacking a right. */
function authRefusal(code: number, message: string): AuthRefusal | undefined {
  if (AUTH_CODES.has(code)) return { kind: 'auth', message };
  if (isPermissionCode(code)) return { kind: 'auth', message, permission: true };
  return undefined;
}

/** An error without Graph's envelope: 401 a dead token, 403 a missing right. */
function statusRefusal(status: number, message: string): AuthRefusal | undefined {
  if (status === 401) return { kind: 'auth', message };
  if (status === 403) return { kind: 'auth', message, permission: true };
  return undefined;
}

/** `https://www.facebook.com/{page-id}/posts/{post-id}`, the form `permalink_url` takes. */
export function facebookPostUrl(id: string): string {
  const [page, post] = id.split('_');
  return page && post
    ? `https://www.facebook.com/${page}/posts/${post}`
    : `https://www.facebook.com/${id}`;
}

function createOutcome(api: Api, result: Exchange): PublishOutcome {
  if (!result.ok) return unansweredCreate('Facebook', result, api.timeoutMs);
  const { answer } = result;
  if (answer.status >= 200 && answer.status <= 299) {
    const created = createdSchema.safeParse(answer.body);
    if (!created.success) {
      return { kind: 'unknown', message: 'Facebook accepted the post but answered without its id' };
    }
    return {
      kind: 'published',
      remoteId: created.data.id,
      remoteUrl: facebookPostUrl(created.data.id),
    };
  }
  const message = describe(answer);
  const error = graphError(answer);
  if (error) {
    const refused = authRefusal(error.code, message);
    if (refused) return refused;
    if (THROTTLE_CODES.has(error.code)) return { kind: 'rate', until: rateUntil(answer), message };
    if (TRANSIENT_CODES.has(error.code)) {
      return { kind: 'unknown', message: `${message}; Facebook may have posted it all the same` };
    }
    if (error.code === DUPLICATE || (error.code === BLOCKED && ALREADY_POSTED.test(message))) {
      return { kind: 'unknown', message: `${message} (an earlier attempt probably posted it)` };
    }
    if (error.code === BLOCKED) return { kind: 'retry', message };
    if (error.code === LINK_SCRAPE_FAILED) return { kind: 'retry', message };
  }
  if (answer.status >= 500) return { kind: 'unknown', message: `${message}; the post may exist` };
  const byStatus = statusRefusal(answer.status, message);
  if (byStatus) return byStatus;
  if (answer.status === 429) return { kind: 'rate', until: rateUntil(answer), message };
  return { kind: 'rejected', message };
}

async function publish(call: ClientCall): Promise<PublishOutcome> {
  const parsed = parseFacebookCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'auth', message: parsed.message };
  const api = restCall(parsed.credentials, call.timeoutMs);
  const created = await graphPost(api, `${api.credentials.pageId}/feed`, {
    message: call.share.text,
    // A post with no link (a desk post without one) is a status update.
    ...(call.share.url ? { link: call.share.url } : {}),
  });
  return createOutcome(api, created);
}

const folded = (text: string) => text.normalize('NFC').replace(/\s+/gu, ' ').trim();

/** The share's link (as the attachment or in the message), or failing that its exact text. */
function isShare(post: FeedPost, share: Share): boolean {
  const links = (post.attachments?.data ?? []).flatMap((a) => [a.unshimmed_url, a.url]);
  if (share.url && links.some((link) => link !== undefined && sameLink(link, share.url))) {
    return true;
  }
  if (share.url && post.message?.includes(share.url)) return true;
  return post.message !== undefined && folded(post.message) === folded(share.text);
}

function lookupProblem(api: Api, result: Exchange): string {
  if (!result.ok) return unansweredLookup('Facebook', result, api.timeoutMs);
  const error = graphError(result.answer);
  if (error && THROTTLE_CODES.has(error.code)) {
    return `Facebook rate-limited the feed lookup until ${rateUntil(result.answer)}`;
  }
  return `${describe(result.answer)} to the feed lookup`;
}

/** Reads the Page feed from just before the first claim, newest first. */
async function reconcile(call: ClientCall): Promise<ReconcileOutcome> {
  const parsed = parseFacebookCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'unsure', reason: parsed.message };
  const from = Date.parse(call.share.firstClaimedAt ?? call.share.createdAt);
  if (Number.isNaN(from)) {
    return { kind: 'unsure', reason: 'The share has no claim time to look from' };
  }
  const api = restCall(parsed.credentials, call.timeoutMs);
  const query: Record<string, string> = {
    fields: FEED_FIELDS,
    since: String(Math.floor((from - CLOCK_SKEW_MS) / 1000)),
    limit: String(PAGE_SIZE),
  };
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await graphGet(api, `${api.credentials.pageId}/feed`, query);
    if (!result.ok || result.answer.status !== 200) {
      return { kind: 'unsure', reason: lookupProblem(api, result) };
    }
    const feed = feedSchema.safeParse(result.answer.body);
    if (!feed.success) {
      return { kind: 'unsure', reason: 'Facebook answered the feed in an unknown shape' };
    }
    const match = feed.data.data.find((post) => isShare(post, call.share));
    if (match) {
      return {
        kind: 'found',
        remoteId: match.id,
        remoteUrl: match.permalink_url ?? facebookPostUrl(match.id),
      };
    }
    // `since` made Facebook leave out everything older: the last page ends the search.
    const after = feed.data.paging?.cursors?.after;
    if (!feed.data.paging?.next || !after) return { kind: 'absent' };
    query.after = after;
  }
  return {
    kind: 'unsure',
    reason: `More than ${PAGE_SIZE * MAX_PAGES} posts on the Page since the claim; not all were checked`,
  };
}

/** Graph's "Unsupported request. Object with ID … does not exist": the post is gone. */
const MISSING = { code: 100, subcode: 33 };

function withdrawOutcome(api: Api, result: Exchange, action: string): WithdrawOutcome {
  if (!result.ok) {
    return {
      kind: 'retry',
      message: `${unansweredLookup('Facebook', result, api.timeoutMs)} to the ${action}`,
    };
  }
  const { answer } = result;
  if (answer.status >= 200 && answer.status <= 299) return { kind: 'withdrawn' };
  const message = describe(answer);
  const error = graphError(answer);
  if (error) {
    if (error.code === MISSING.code && error.error_subcode === MISSING.subcode) {
      return { kind: 'withdrawn', note: 'the post was already gone' };
    }
    const refused = authRefusal(error.code, message);
    if (refused) return refused;
    if (THROTTLE_CODES.has(error.code)) return { kind: 'rate', until: rateUntil(answer), message };
    if (TRANSIENT_CODES.has(error.code)) return { kind: 'retry', message };
  }
  if (answer.status >= 500) return { kind: 'retry', message };
  const byStatus = statusRefusal(answer.status, message);
  if (byStatus) return byStatus;
  if (answer.status === 429) return { kind: 'rate', until: rateUntil(answer), message };
  return { kind: 'rejected', message: `Facebook refused the ${action}: ${message}` };
}

/** `DELETE /{page-post-id}`, or `POST /{page-post-id}` with the new `message`. */
async function withdraw(call: WithdrawCall): Promise<WithdrawOutcome> {
  const id = call.share.remoteId;
  if (!id) return { kind: 'rejected', message: 'The share has no post id to withdraw' };
  const parsed = parseFacebookCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'auth', message: parsed.message };
  const api = restCall(parsed.credentials, call.timeoutMs);
  const result =
    call.action === 'delete'
      ? await exchange(graphUrl(api, id, { access_token: api.credentials.pageAccessToken }), {
          method: 'DELETE',
          signal: api.deadline,
        })
      : await graphPost(api, id, { message: call.text });
  return withdrawOutcome(api, result, call.action);
}

/** `https://www.facebook.com/{page-id}/posts/{post-id}?comment_id={comment}`. */
function commentUrl(postId: string, commentId: string): string {
  const comment = commentId.split('_').pop() ?? commentId;
  return `${facebookPostUrl(postId)}?comment_id=${comment}`;
}

const commentSchema = z.object({
  id: z.string(),
  message: z.string().optional(),
  from: z.object({ id: z.string() }).optional(),
  permalink_url: z.string().optional(),
});
const commentsSchema = z.object({
  data: z.array(commentSchema),
  paging: feedSchema.shape.paging,
});

/**
 * A correction note: a comment on the Page's post, made as the Page (the Page token acts
 * as it). Comments take no key, so a repeat after an unknown outcome would comment twice:
 * reconcile reads the comments first.
 */
async function publishNote(call: NoteCall): Promise<PublishOutcome> {
  if (!call.text.trim()) return { kind: 'rejected', message: 'The note has no text' };
  const parsed = parseFacebookCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'auth', message: parsed.message };
  const api = restCall(parsed.credentials, call.timeoutMs);
  const outcome = createOutcome(
    api,
    await graphPost(api, `${call.parentId}/comments`, { message: call.text }),
  );
  return outcome.kind === 'published'
    ? { ...outcome, remoteUrl: commentUrl(call.parentId, outcome.remoteId) }
    : outcome;
}

/** The post's comments, newest first: the Page's own with the note's text. */
async function reconcileNote(call: NoteCall): Promise<ReconcileOutcome> {
  const parsed = parseFacebookCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'unsure', reason: parsed.message };
  const api = restCall(parsed.credentials, call.timeoutMs);
  const { pageId } = api.credentials;
  const query: Record<string, string> = {
    fields: 'id,message,from,permalink_url',
    order: 'reverse_chronological',
    filter: 'stream',
    limit: String(PAGE_SIZE),
  };
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await graphGet(api, `${call.parentId}/comments`, query);
    if (!result.ok || result.answer.status !== 200) {
      return { kind: 'unsure', reason: lookupProblem(api, result).replace('feed', 'comments') };
    }
    const comments = commentsSchema.safeParse(result.answer.body);
    if (!comments.success) {
      return { kind: 'unsure', reason: 'Facebook answered the comments in an unknown shape' };
    }
    const match = comments.data.data.find(
      (comment) =>
        (comment.from === undefined || comment.from.id === pageId) &&
        comment.message !== undefined &&
        folded(comment.message) === folded(call.text),
    );
    if (match) {
      return {
        kind: 'found',
        remoteId: match.id,
        remoteUrl: match.permalink_url ?? commentUrl(call.parentId, match.id),
      };
    }
    const after = comments.data.paging?.cursors?.after;
    if (!comments.data.paging?.next || !after) return { kind: 'absent' };
    query.after = after;
  }
  return {
    kind: 'unsure',
    reason: `More than ${PAGE_SIZE * MAX_PAGES} comments on ${call.parentId}; not all were checked`,
  };
}

export const facebookClient: NetworkClient = {
  publish,
  reconcile,
  withdraw,
  metrics: readFacebookMetrics,
  notes: { publish: publishNote, reconcile: reconcileNote },
};
