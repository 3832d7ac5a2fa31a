/**
 * Crier's LinkedIn client over plain fetch (docs/networks.md): a share becomes an article post
 * (`POST /rest/posts`), a duplicate answer is checked against the post it names,
 * reconcile looks through the author's posts for the article link, and a withdrawn
 * article's post is deleted or its commentary edited (docs/networks.md, LinkedIn).
 */
import { z } from 'zod';
import type { Share } from '../../domain/share';
import type {
  ClientCall,
  NetworkClient,
  PublishOutcome,
  ReconcileOutcome,
  WithdrawCall,
  WithdrawOutcome,
} from '../client';
import {
  type Answer,
  type Exchange,
  exchange,
  unansweredCreate,
  unansweredLookup,
} from '../rest/http';
import { sameLink } from '../rest/link';
import type { LinkCard } from '../types';
import { type LinkedInCredentials, parseLinkedInCredentials } from './credentials';
import { toLittleText } from './rules';

export { linkedinCredentialsSchema } from './credentials';

const API = 'https://api.linkedin.com';
const POST_URN = /^urn:li:(?:share|ugcPost):\d+$/;
const IMAGE_URN = /^urn:li:image:[A-Za-z0-9_-]+$/;
const DUPLICATE_OF = /duplicate of (urn:li:(?:share|ugcPost):\d+)/i;
/** LinkedIn's daily quotas say so in the 429's message; anything else is its infrastructure. */
const DAILY_QUOTA = /throttle limit/i;
/** A 429 that is not the daily quota (infrastructure protection): back off, then try again. */
const INFRASTRUCTURE_BACKOFF_MS = 5 * 60_000;
/** LinkedIn's clock is not ours: a post this much before the claim may still be the share's. */
const CLOCK_SKEW_MS = 5 * 60_000;
/** The posts finder's largest page, and how many pages one reconcile reads at most. */
const PAGE_SIZE = 100;
const MAX_PAGES = 5;

/** An image for the card's thumbnail (JPG, PNG or GIF), uploaded with the Images API. */
export type LinkedInThumbnail = { bytes: Uint8Array; mimeType: string };

export type LinkedInClientOptions = {
  /**
   * Where a card's thumbnail comes from. LinkedIn does not fetch the article page
   * (docs/networks.md, Findings 7), and nothing here fetches `card.imageUrl` (these machines
   * are offline; previews come from shared/preview): when this returns bytes, the client
   * uploads them (`initializeUpload`, then PUT) and the image URN becomes
   * `content.article.thumbnail`; otherwise the card goes out without one.
   */
  thumbnail?: (card: LinkCard, signal: AbortSignal) => Promise<LinkedInThumbnail | undefined>;
};

const errorSchema = z.object({
  message: z.string().optional(),
  code: z.string().optional(),
  errorDetails: z
    .object({
      inputErrors: z
        .array(z.object({ code: z.string().optional(), description: z.string().optional() }))
        .optional(),
    })
    .optional(),
});

const postSchema = z.object({
  id: z.string(),
  createdAt: z.number().optional(),
  lastModifiedAt: z.number().optional(),
  content: z.object({ article: z.object({ source: z.string() }).optional() }).optional(),
});
type Post = z.output<typeof postSchema>;

const finderSchema = z.object({ elements: z.array(postSchema) });

const uploadSchema = z.object({
  value: z.object({ uploadUrl: z.url(), image: z.string().regex(IMAGE_URN) }),
});

type Api = { credentials: LinkedInCredentials; deadline: AbortSignal; timeoutMs: number };

type Request = {
  method: 'GET' | 'POST' | 'DELETE';
  /** the Rest.li method the request is, for `X-RestLi-Method` */
  restli?: 'CREATE' | 'GET' | 'FINDER' | 'ACTION' | 'DELETE' | 'PARTIAL_UPDATE';
  query?: Record<string, string>;
  json?: unknown;
};

function url(api: Api, path: string, query: Record<string, string> = {}): URL {
  const target = new URL(path, api.credentials.apiBase ?? API);
  for (const [name, value] of Object.entries(query)) target.searchParams.set(name, value);
  return target;
}

function rest(api: Api, path: string, request: Request): Promise<Exchange> {
  const headers: Record<string, string> = {
    Authorization: `Bearer ${api.credentials.accessToken}`,
    'LinkedIn-Version': api.credentials.version,
    'X-Restli-Protocol-Version': '2.0.0',
  };
  if (request.restli) headers['X-RestLi-Method'] = request.restli;
  if (request.json !== undefined) headers['Content-Type'] = 'application/json';
  return exchange(url(api, path, request.query), {
    method: request.method,
    headers,
    ...(request.json !== undefined ? { body: JSON.stringify(request.json) } : {}),
    signal: api.deadline,
  });
}

/** Rest.li may send the created id URL-encoded. */
function decoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function postPath(urn: string): string {
  return `/rest/posts/${encodeURIComponent(urn)}`;
}

export function linkedinPostUrl(urn: string): string {
  return `https://www.linkedin.com/feed/update/${urn}/`;
}

function describe(answer: Answer): string {
  const parsed = errorSchema.safeParse(answer.body);
  const error = parsed.success ? parsed.data : {};
  // Rest.li's validation messages end in a newline.
  const said = [error.code, error.message?.trim()].filter(Boolean).join(': ');
  return `LinkedIn answered ${answer.status}${said ? ` ${said.slice(0, 300)}` : ''}`;
}

/** A 422 DUPLICATE_POST, with the URN of the original when the message names one. */
function duplicateOf(answer: Answer): { urn: string | undefined } | undefined {
  if (answer.status !== 422) return undefined;
  const parsed = errorSchema.safeParse(answer.body);
  if (!parsed.success) return undefined;
  const urn = DUPLICATE_OF.exec(parsed.data.message ?? '')?.[1];
  const flagged = (parsed.data.errorDetails?.inputErrors ?? []).some(
    (e) => e.code === 'DUPLICATE_POST',
  );
  return flagged || urn ? { urn } : undefined;
}

/** The next midnight UTC for the daily quota (LinkedIn sends no reset), else a short backoff. */
function rateUntil(answer: Answer, now = Date.now()): string {
  const parsed = errorSchema.safeParse(answer.body);
  if (parsed.success && DAILY_QUOTA.test(parsed.data.message ?? '')) {
    const midnight = new Date(now);
    midnight.setUTCHours(24, 0, 0, 0);
    return midnight.toISOString();
  }
  return new Date(now + INFRASTRUCTURE_BACKOFF_MS).toISOString();
}

function versionMessage(api: Api, answer: Answer): string {
  return `${describe(answer)}: LinkedIn-Version ${api.credentials.version} is no longer served; set a current version in the channel's credentials`;
}

/** A failure before the post was sent: nothing was posted, whatever went wrong. */
function beforeCreate(api: Api, step: string, result: Exchange): PublishOutcome {
  if (!result.ok) {
    return {
      kind: 'retry',
      message:
        result.failure === 'timeout'
          ? `No answer from LinkedIn to ${step} within ${api.timeoutMs} ms; nothing was posted`
          : `LinkedIn failed ${step} (${result.detail}); nothing was posted`,
    };
  }
  const { answer } = result;
  const message = `${describe(answer)} to ${step}; nothing was posted`;
  if (answer.status === 401 || answer.status === 403) return { kind: 'auth', message };
  if (answer.status === 426) return { kind: 'rejected', message: versionMessage(api, answer) };
  if (answer.status === 429) return { kind: 'rate', until: rateUntil(answer), message };
  if (answer.status >= 500) return { kind: 'retry', message };
  return { kind: 'rejected', message };
}

type Uploaded = { ok: true; image?: string } | { ok: false; outcome: PublishOutcome };

/** The upload URL gets the token only if it is LinkedIn's own (or the sandbox's) host. */
function trustedUploadUrl(api: Api, value: string): URL | undefined {
  const target = new URL(value);
  if (api.credentials.apiBase) {
    return target.origin === api.credentials.apiBase ? target : undefined;
  }
  const linkedin = target.hostname === 'linkedin.com' || target.hostname.endsWith('.linkedin.com');
  return target.protocol === 'https:' && linkedin ? target : undefined;
}

async function uploadThumbnail(
  api: Api,
  card: LinkCard,
  options: LinkedInClientOptions,
): Promise<Uploaded> {
  if (!options.thumbnail) return { ok: true };
  let image: LinkedInThumbnail | undefined;
  try {
    image = await options.thumbnail(card, api.deadline);
  } catch (error) {
    const name = error instanceof Error ? error.name : typeof error;
    return {
      ok: false,
      outcome: { kind: 'retry', message: `The card thumbnail could not be made (${name})` },
    };
  }
  if (!image) return { ok: true };

  const started = await rest(api, '/rest/images', {
    method: 'POST',
    restli: 'ACTION',
    query: { action: 'initializeUpload' },
    json: { initializeUploadRequest: { owner: api.credentials.author } },
  });
  if (!started.ok || started.answer.status !== 200) {
    return { ok: false, outcome: beforeCreate(api, 'the image upload', started) };
  }
  const upload = uploadSchema.safeParse(started.answer.body);
  const target = upload.success ? trustedUploadUrl(api, upload.data.value.uploadUrl) : undefined;
  if (!upload.success || !target) {
    return {
      ok: false,
      outcome: {
        kind: 'retry',
        message: 'LinkedIn answered initializeUpload without a usable upload URL and image URN',
      },
    };
  }
  const put = await exchange(target, {
    method: 'PUT',
    headers: {
      Authorization: `Bearer ${api.credentials.accessToken}`,
      'Content-Type': image.mimeType,
    },
    body: image.bytes,
    signal: api.deadline,
  });
  if (!put.ok || put.answer.status < 200 || put.answer.status > 299) {
    return { ok: false, outcome: beforeCreate(api, 'the image upload', put) };
  }
  return { ok: true, image: upload.data.value.image };
}

/** The first line of the text: a title for a share that somehow has no card. */
function fallbackTitle(share: Share): string {
  return (share.text.split('\n', 1)[0] ?? '').trim() || share.url;
}

function postBody(share: Share, author: string, thumbnail: string | undefined) {
  return {
    author,
    commentary: toLittleText(share.text),
    visibility: 'PUBLIC',
    distribution: {
      feedDistribution: 'MAIN_FEED',
      targetEntities: [],
      thirdPartyDistributionChannels: [],
    },
    content: {
      article: {
        source: share.url,
        title: share.card?.title ?? fallbackTitle(share),
        ...(share.card?.description ? { description: share.card.description } : {}),
        ...(thumbnail ? { thumbnail } : {}),
      },
    },
    lifecycleState: 'PUBLISHED',
    isReshareDisabledByAuthor: false,
  };
}

function isShare(post: Post, share: Share): boolean {
  const source = post.content?.article?.source;
  return source !== undefined && sameLink(source, share.url);
}

/**
 * LinkedIn refused the text as a duplicate and named the original (docs/networks.md, Findings
 * 4). The URN may answer 404 after a delete (composio#2710), or belong to a post of
 * another link, so it counts as this share's post only once read back with this link.
 */
async function confirmDuplicate(api: Api, share: Share, urn: string): Promise<PublishOutcome> {
  const read = await rest(api, postPath(urn), { method: 'GET', restli: 'GET' });
  const named = `LinkedIn refused the post as a duplicate of ${urn}`;
  if (!read.ok) {
    return { kind: 'unknown', message: `${named}, which could not be read (${read.detail})` };
  }
  const { answer } = read;
  if (answer.status === 404 || answer.status === 410) {
    return {
      kind: 'rejected',
      message: `${named}, which no longer exists: LinkedIn keeps refusing this text, so change it`,
    };
  }
  const post = postSchema.safeParse(answer.body);
  if (answer.status !== 200 || !post.success) {
    return { kind: 'unknown', message: `${named}; reading it back gave ${describe(answer)}` };
  }
  if (!isShare(post.data, share)) {
    return {
      kind: 'rejected',
      message: `${named}, a post of another link: LinkedIn refuses the same text twice, so change it`,
    };
  }
  return { kind: 'published', remoteId: urn, remoteUrl: linkedinPostUrl(urn) };
}

async function createOutcome(api: Api, share: Share, result: Exchange): Promise<PublishOutcome> {
  if (!result.ok) return unansweredCreate('LinkedIn', result, api.timeoutMs);
  const { answer } = result;
  if (answer.status >= 200 && answer.status <= 299) {
    const urn = decoded(answer.headers.get('x-restli-id') ?? '');
    if (!POST_URN.test(urn)) {
      return { kind: 'unknown', message: 'LinkedIn accepted the post but named no post URN' };
    }
    return { kind: 'published', remoteId: urn, remoteUrl: linkedinPostUrl(urn) };
  }
  const duplicate = duplicateOf(answer);
  if (duplicate?.urn) return confirmDuplicate(api, share, duplicate.urn);
  if (duplicate) {
    return {
      kind: 'unknown',
      message: `${describe(answer)} (an earlier attempt probably posted this text)`,
    };
  }
  const message = describe(answer);
  if (answer.status === 401 || answer.status === 403) return { kind: 'auth', message };
  if (answer.status === 426) return { kind: 'rejected', message: versionMessage(api, answer) };
  if (answer.status === 429) return { kind: 'rate', until: rateUntil(answer), message };
  if (answer.status >= 500) {
    return { kind: 'unknown', message: `${message}; the post may exist` };
  }
  return { kind: 'rejected', message };
}

async function publish(call: ClientCall, options: LinkedInClientOptions): Promise<PublishOutcome> {
  const parsed = parseLinkedInCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'auth', message: parsed.message };
  const api: Api = {
    credentials: parsed.credentials,
    deadline: AbortSignal.timeout(call.timeoutMs),
    timeoutMs: call.timeoutMs,
  };
  const { share } = call;

  let thumbnail: string | undefined;
  if (share.card) {
    const uploaded = await uploadThumbnail(api, share.card, options);
    if (!uploaded.ok) return uploaded.outcome;
    thumbnail = uploaded.image;
  }
  if (api.deadline.aborted) {
    return {
      kind: 'retry',
      message: 'The time ran out before the post was sent; nothing was posted',
    };
  }
  const created = await rest(api, '/rest/posts', {
    method: 'POST',
    restli: 'CREATE',
    json: postBody(share, api.credentials.author, thumbnail),
  });
  return createOutcome(api, share, created);
}

function lookupProblem(api: Api, result: Exchange): string {
  if (!result.ok) return unansweredLookup('LinkedIn', result, api.timeoutMs);
  if (result.answer.status === 429) {
    return `LinkedIn rate-limited the lookup until ${rateUntil(result.answer)}`;
  }
  return `${describe(result.answer)} to the posts lookup`;
}

/** Looks through the author's posts, newest change first, back to the first claim. */
async function reconcile(call: ClientCall): Promise<ReconcileOutcome> {
  const parsed = parseLinkedInCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'unsure', reason: parsed.message };
  const from = Date.parse(call.share.firstClaimedAt ?? call.share.createdAt);
  if (Number.isNaN(from)) {
    return { kind: 'unsure', reason: 'The share has no claim time to look from' };
  }
  const since = from - CLOCK_SKEW_MS;
  const api: Api = {
    credentials: parsed.credentials,
    deadline: AbortSignal.timeout(call.timeoutMs),
    timeoutMs: call.timeoutMs,
  };
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await rest(api, '/rest/posts', {
      method: 'GET',
      restli: 'FINDER',
      query: {
        author: api.credentials.author,
        q: 'author',
        count: String(PAGE_SIZE),
        start: String(page * PAGE_SIZE),
        sortBy: 'LAST_MODIFIED',
      },
    });
    if (!result.ok || result.answer.status !== 200) {
      return { kind: 'unsure', reason: lookupProblem(api, result) };
    }
    const found = finderSchema.safeParse(result.answer.body);
    if (!found.success) {
      return { kind: 'unsure', reason: 'LinkedIn answered the posts lookup in an unknown shape' };
    }
    const posts = found.data.elements;
    const match = posts.find(
      (post) => isShare(post, call.share) && (post.createdAt ?? Number.POSITIVE_INFINITY) >= since,
    );
    if (match) {
      return { kind: 'found', remoteId: match.id, remoteUrl: linkedinPostUrl(match.id) };
    }
    // Newest change first: once a page reaches back past the claim, nothing older is the share's.
    const oldest = posts.at(-1)?.lastModifiedAt;
    if (posts.length < PAGE_SIZE || (oldest !== undefined && oldest < since)) {
      return { kind: 'absent' };
    }
  }
  return {
    kind: 'unsure',
    reason: `More than ${PAGE_SIZE * MAX_PAGES} posts changed since the claim; not all were checked`,
  };
}

function withdrawOutcome(api: Api, result: Exchange, action: string): WithdrawOutcome {
  if (!result.ok) {
    return {
      kind: 'retry',
      message: `${unansweredLookup('LinkedIn', result, api.timeoutMs)} to the ${action}`,
    };
  }
  const { answer } = result;
  if (answer.status >= 200 && answer.status <= 299) return { kind: 'withdrawn' };
  // Deleted by hand, or by an earlier attempt whose answer was lost.
  if (answer.status === 404 || answer.status === 410) {
    return { kind: 'withdrawn', note: 'the post was already gone' };
  }
  const message = describe(answer);
  if (answer.status === 401 || answer.status === 403) return { kind: 'auth', message };
  if (answer.status === 426) return { kind: 'rejected', message: versionMessage(api, answer) };
  if (answer.status === 429) return { kind: 'rate', until: rateUntil(answer), message };
  if (answer.status >= 500) return { kind: 'retry', message };
  return { kind: 'rejected', message: `LinkedIn refused the ${action}: ${message}` };
}

/** Deletes the post, or sets its commentary (the one field an edit may change here). */
async function withdraw(call: WithdrawCall): Promise<WithdrawOutcome> {
  const urn = call.share.remoteId;
  if (!urn || !POST_URN.test(urn)) {
    return { kind: 'rejected', message: 'The share has no LinkedIn post URN to withdraw' };
  }
  const parsed = parseLinkedInCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'auth', message: parsed.message };
  const api: Api = {
    credentials: parsed.credentials,
    deadline: AbortSignal.timeout(call.timeoutMs),
    timeoutMs: call.timeoutMs,
  };
  const result =
    call.action === 'delete'
      ? await rest(api, postPath(urn), { method: 'DELETE', restli: 'DELETE' })
      : await rest(api, postPath(urn), {
          method: 'POST',
          restli: 'PARTIAL_UPDATE',
          json: { patch: { $set: { commentary: toLittleText(call.text) } } },
        });
  return withdrawOutcome(api, result, call.action);
}

/** A LinkedIn client; `options.thumbnail` is where card thumbnails will come from. */
export function createLinkedInClient(options: LinkedInClientOptions = {}): NetworkClient {
  return {
    publish: (call) => publish(call, options),
    reconcile: (call) => reconcile(call),
    withdraw: (call) => withdraw(call),
  };
}

export const linkedinClient: NetworkClient = createLinkedInClient();
