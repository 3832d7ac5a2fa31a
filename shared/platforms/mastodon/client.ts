/**
 * Mastodon through masto: a share becomes one status (the share's Idempotency-Key makes
 * a resend within the hour return the original), each part of its thread a reply under
 * a key of its own, and reconcile finds out whether an earlier attempt posted one
 * (docs/networks.md, Mastodon).
 */
import { decodeHTML } from 'entities';
import { createRestAPIClient, MastoHttpError, MastoTimeoutError, type mastodon } from 'masto';
import twitterText from 'twitter-text';
import { z } from 'zod';
import type { Share } from '../../domain/share';
import { graphemeLength } from '../../domain/text';
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
import { type MastodonCredentials, parseMastodonCredentials } from './credentials';
import { MASTODON_URL_LENGTH, mastodonCountableText } from './rules';

export { mastodonCredentialsSchema } from './credentials';

/** Mastodon keeps an Idempotency-Key for 3,600 s from the status's creation. */
const IDEMPOTENCY_WINDOW_MS = 3_600_000;
/**
 * A resend is safe only while every status the share could have made is still under
 * its key. Each was made after the first claim, so the key lives at least until
 * firstClaimedAt + 1 h; the margin covers clock skew between Crier and the instance.
 */
const RESEND_MARGIN_MS = 5 * 60_000;
/** statuses older than the first claim (minus skew) cannot be this share's */
const CLOCK_SKEW_MS = 5 * 60_000;
/** 40 is the most `accounts/:id/statuses` gives per page */
const PAGE_SIZE = 40;
const MAX_PAGES = 5;
/** Without X-RateLimit-Reset, the API throttle's whole period (5 minutes) is the safe wait. */
const DEFAULT_RATE_WAIT_MS = 5 * 60_000;
const INSTANCE_TTL_MS = 10 * 60_000;
/** an instance that did not answer is not asked again for this long */
const INSTANCE_RETRY_MS = 60_000;
/** The limits are optional: their read never takes more than this of a publish's time. */
const INSTANCE_BUDGET_MS = 3_000;
const MAX_CACHED_CLIENTS = 32;
/** connecting failed: nothing reached the instance */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

// masto camel-cases every key of what the server sends.
const statusSchema = z.object({
  id: z.string().min(1),
  uri: z.string(),
  url: z.string().nullish(),
  createdAt: z.string(),
  content: z.string(),
  card: z.object({ url: z.string() }).nullish(),
  inReplyToId: z.string().nullish(),
  account: z.object({ id: z.string() }).optional(),
});
type Status = z.infer<typeof statusSchema>;

const instanceSchema = z.object({
  configuration: z.object({
    statuses: z.object({
      maxCharacters: z.number().int().positive(),
      charactersReservedPerUrl: z.number().int().nonnegative().default(MASTODON_URL_LENGTH),
    }),
  }),
});

export type MastodonInstanceLimits = { maxCharacters: number; charactersReservedPerUrl: number };

const clients = new Map<string, mastodon.rest.Client>();
const instances = new Map<
  string,
  { limits: MastodonInstanceLimits; fetchedAt: number } | { failedAt: number }
>();

/**
 * One masto client per instance, token and timeout: building one is cheap, but a
 * Lambda publishing many shares should not rebuild it per call. The timeout is the
 * client's own because masto drops per-request options on paginated lists.
 */
function restClient(credentials: MastodonCredentials, timeoutMs: number): mastodon.rest.Client {
  const key = JSON.stringify([credentials.url, credentials.accessToken, timeoutMs]);
  let client = clients.get(key);
  if (!client) {
    if (clients.size >= MAX_CACHED_CLIENTS) {
      const oldest = clients.keys().next().value;
      if (oldest !== undefined) clients.delete(oldest);
    }
    client = createRestAPIClient({
      url: credentials.url,
      accessToken: credentials.accessToken,
      timeout: timeoutMs,
    });
    clients.set(key, client);
  }
  return client;
}

/**
 * The instance's status limits from `GET /api/v2/instance`, cached per instance URL;
 * `undefined` when the instance does not say (a failure is remembered for a minute, so
 * a hanging route cannot eat every publish's time).
 */
export async function mastodonInstanceLimits(
  client: mastodon.rest.Client,
  instanceUrl: string,
  signal: AbortSignal,
): Promise<MastodonInstanceLimits | undefined> {
  const cached = instances.get(instanceUrl);
  const now = Date.now();
  if (cached && 'limits' in cached && now - cached.fetchedAt < INSTANCE_TTL_MS) {
    return cached.limits;
  }
  if (cached && 'failedAt' in cached && now - cached.failedAt < INSTANCE_RETRY_MS) return undefined;
  try {
    const budget = AbortSignal.any([signal, AbortSignal.timeout(INSTANCE_BUDGET_MS)]);
    const instance = instanceSchema.parse(
      await client.v2.instance.fetch(undefined, { requestInit: { signal: budget } }),
    );
    const limits = instance.configuration.statuses;
    instances.set(instanceUrl, { limits, fetchedAt: Date.now() });
    return limits;
  } catch {
    instances.set(instanceUrl, { failedAt: Date.now() });
    return undefined;
  }
}

/** The share's text as the instance counts it: graphemes, each URL as the instance reserves. */
function countedLength(text: string, limits: MastodonInstanceLimits): number {
  const urls = twitterText.extractUrlsWithIndices(text, { extractUrlsWithoutProtocol: false });
  const extra = urls.length * (limits.charactersReservedPerUrl - MASTODON_URL_LENGTH);
  return graphemeLength(mastodonCountableText(text)) + extra;
}

/** The status's plain text: paragraphs and line breaks kept, tags dropped, entities decoded. */
function contentText(html: string): string {
  return decodeHTML(
    html
      .replace(/<br\s*\/?>/gi, '\n')
      .replace(/<\/p>\s*<p(?:\s[^>]*)?>/gi, '\n\n')
      .replace(/<[^>]*>/g, ''),
  );
}

function contentLinks(html: string): string[] {
  return Array.from(html.matchAll(/<a\s[^>]*?href="([^"]*)"/gi), (m) => decodeHTML(m[1] ?? ''));
}

const folded = (text: string) => text.replace(/\s+/gu, ' ').trim();

function isThisShare(status: Status, share: Share): boolean {
  return (
    status.card?.url === share.url ||
    contentLinks(status.content).includes(share.url) ||
    folded(contentText(status.content)) === folded(share.text)
  );
}

function published(data: unknown): PublishOutcome {
  const status = statusSchema.safeParse(data);
  // Posted, but without an id Crier cannot record it: reconcile will find it.
  if (!status.success) {
    return { kind: 'unknown', message: 'Mastodon answered 200 without a status id' };
  }
  return {
    kind: 'published',
    remoteId: status.data.id,
    remoteUrl: status.data.url ?? status.data.uri,
  };
}

function errorCode(error: unknown): string | undefined {
  for (let cause: unknown = error, depth = 0; cause && depth < 4; depth++) {
    if (typeof cause !== 'object') return undefined;
    if ('code' in cause && typeof cause.code === 'string') return cause.code;
    if (cause instanceof AggregateError) {
      const first: unknown = cause.errors[0];
      if (first && typeof first === 'object' && 'code' in first && typeof first.code === 'string') {
        return first.code;
      }
    }
    cause = 'cause' in cause ? cause.cause : undefined;
  }
  return undefined;
}

type Failure =
  | { kind: 'http'; status: number; error: string; message: string; retryAt?: string }
  | { kind: 'timeout'; message: string }
  | { kind: 'not-sent'; message: string }
  | { kind: 'lost'; message: string };

/** What went wrong, in words that never carry the token (masto's messages hold none). */
function failure(error: unknown, signal: AbortSignal, timeoutMs: number): Failure {
  if (error instanceof MastoHttpError) {
    const said = error.message ? `: ${error.message}` : '';
    const out: Failure = {
      kind: 'http',
      status: error.statusCode,
      error: error.message ?? '',
      message: `Mastodon answered ${error.statusCode}${said}`,
    };
    if (error.statusCode === 429) {
      const reset =
        error.cause instanceof Response ? error.cause.headers.get('x-ratelimit-reset') : null;
      const at = reset ? Date.parse(reset) : Number.NaN;
      out.retryAt = new Date(
        Number.isFinite(at) ? Math.max(at, Date.now()) : Date.now() + DEFAULT_RATE_WAIT_MS,
      ).toISOString();
    }
    return out;
  }
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  if (
    error instanceof MastoTimeoutError ||
    name === 'TimeoutError' ||
    name === 'AbortError' ||
    signal.aborted
  ) {
    return { kind: 'timeout', message: `Mastodon did not answer within ${timeoutMs} ms` };
  }
  const code = errorCode(error);
  if (code && NOT_SENT_CODES.has(code)) {
    return { kind: 'not-sent', message: `Could not reach the Mastodon instance (${code})` };
  }
  if (code) return { kind: 'lost', message: `The connection to Mastodon failed (${code})` };
  // masto 7.12 throws a bare TypeError or MastoUnexpectedError when an error answer is
  // not JSON (Mastodon's HTML 500 page, a proxy's 502): the status code is lost with it.
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { kind: 'lost', message: `Mastodon's answer was unusable (${detail})` };
}

function createOutcome(f: Failure): PublishOutcome {
  if (f.kind === 'not-sent') return { kind: 'retry', message: f.message };
  if (f.kind !== 'http') {
    return { kind: 'unknown', message: `${f.message}; the status may have been posted` };
  }
  if (f.status === 401) return { kind: 'auth', message: f.message };
  if (f.status === 429) {
    return { kind: 'rate', until: f.retryAt ?? new Date().toISOString(), message: f.message };
  }
  if (f.status >= 500 || f.status === 408) {
    return { kind: 'unknown', message: `${f.message}; the status may have been posted` };
  }
  // 400, 403, 404, 422 and the rest of 4xx: the request itself is wrong.
  return { kind: 'rejected', message: f.message };
}

type Api = { client: mastodon.rest.Client; signal: AbortSignal };

/** One status: the share's own, or a part of its thread (`inReplyToId`), each under its key. */
type StatusRequest = { text: string; key: string; language?: string; inReplyToId?: string };

const asStatus = (share: Share): StatusRequest => ({
  text: share.text,
  key: share.idempotencyKey,
  language: share.language,
});

/**
 * A part of the thread: its own Idempotency-Key, `<share's key>-<post number>` (the
 * first post being 1), so a resend of one part returns that part and no other.
 */
function asReply(call: ReplyCall): StatusRequest | undefined {
  const text = call.share.thread?.[call.index];
  if (text === undefined) return undefined;
  return {
    text,
    key: `${call.share.idempotencyKey}-${call.index + 2}`,
    language: call.share.language,
    inReplyToId: call.parentId,
  };
}

function createStatus(api: Api, request: StatusRequest): Promise<unknown> {
  return api.client.v1.statuses.create(
    {
      status: request.text,
      language: request.language,
      visibility: 'public',
      ...(request.inReplyToId ? { inReplyToId: request.inReplyToId } : {}),
    },
    {
      requestInit: {
        headers: { 'Idempotency-Key': request.key },
        signal: api.signal,
      },
    },
  );
}

/** After the idempotency window: look through the account's statuses since the first claim. */
async function searchStatuses(
  api: Api,
  share: Share,
  timeoutMs: number,
): Promise<ReconcileOutcome> {
  const claimed = share.firstClaimedAt ? Date.parse(share.firstClaimedAt) : Number.NaN;
  const since = Number.isFinite(claimed) ? claimed - CLOCK_SKEW_MS : undefined;
  try {
    const me = z.object({ id: z.string().min(1) }).parse(
      await api.client.v1.accounts.verifyCredentials(undefined, {
        requestInit: { signal: api.signal },
      }),
    );
    const pages = api.client.v1.accounts
      .$select(me.id)
      .statuses.list({ limit: PAGE_SIZE, excludeReplies: true, excludeReblogs: true })
      [Symbol.asyncIterator]();
    for (let page = 0; page < MAX_PAGES; page++) {
      // masto's paginator ignores per-request signals: stop waiting at the deadline.
      const next = await settleBefore(pages.next(), api.signal, () => api.signal.reason);
      if (next.done) return { kind: 'absent' };
      const statuses = z.array(statusSchema).parse(next.value);
      const match = statuses.find(
        (status) =>
          (since === undefined || Date.parse(status.createdAt) >= since) &&
          isThisShare(status, share),
      );
      if (match) return { kind: 'found', remoteId: match.id, remoteUrl: match.url ?? match.uri };
      if (since === undefined) {
        return {
          kind: 'unsure',
          reason:
            'not among the newest statuses, and the share has no firstClaimedAt to search back to',
        };
      }
      const oldest = statuses[statuses.length - 1];
      if (!oldest || statuses.length < PAGE_SIZE || Date.parse(oldest.createdAt) < since) {
        return { kind: 'absent' };
      }
    }
    return {
      kind: 'unsure',
      reason: `not among the newest ${PAGE_SIZE * MAX_PAGES} statuses, which do not reach back to the first claim`,
    };
  } catch (error) {
    if (error instanceof z.ZodError) {
      return { kind: 'unsure', reason: 'Mastodon answered statuses in an unexpected shape' };
    }
    return { kind: 'unsure', reason: failure(error, api.signal, timeoutMs).message };
  }
}

/** Within the idempotency window: send the same key again; Mastodon answers the original if there is one. */
async function resend(
  api: Api,
  request: StatusRequest,
  timeoutMs: number,
): Promise<ReconcileOutcome> {
  let data: unknown;
  try {
    data = await createStatus(api, request);
  } catch (error) {
    const f = failure(error, api.signal, timeoutMs);
    // PostStatusService answers a key that names a status before it validates, so its
    // validation error means no status holds the key. Other 4xx come from before the
    // service (auth, a disabled login) and say nothing either way.
    if (f.kind === 'http' && f.status === 422 && /^Validation failed/.test(f.error)) {
      return { kind: 'absent' };
    }
    const until = f.kind === 'http' && f.retryAt ? ` until ${f.retryAt}` : '';
    return {
      kind: 'unsure',
      reason: `resending with the same Idempotency-Key failed: ${f.message}${until}`,
    };
  }
  const outcome = published(data);
  return outcome.kind === 'published'
    ? { kind: 'found', remoteId: outcome.remoteId, remoteUrl: outcome.remoteUrl }
    : { kind: 'unsure', reason: 'the resend was answered without a status id' };
}

/** Whether a resend with the same key is still safe: every status of the share is under its key. */
function withinWindow(share: Share): boolean {
  const claimed = share.firstClaimedAt ? Date.parse(share.firstClaimedAt) : Number.NaN;
  return (
    Number.isFinite(claimed) && Date.now() < claimed + IDEMPOTENCY_WINDOW_MS - RESEND_MARGIN_MS
  );
}

/** The API for a lookup; credentials that do not parse make it impossible to tell. */
function open(call: ClientCall): Api | { kind: 'invalid'; message: string } {
  const parsed = parseMastodonCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'invalid', message: parsed.message };
  return {
    client: restClient(parsed.credentials, call.timeoutMs),
    signal: AbortSignal.timeout(call.timeoutMs),
  };
}

async function post(call: ClientCall, request: StatusRequest): Promise<PublishOutcome> {
  const parsed = parseMastodonCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'auth', message: parsed.message };
  const { credentials } = parsed;
  const api: Api = {
    client: restClient(credentials, call.timeoutMs),
    signal: AbortSignal.timeout(call.timeoutMs),
  };

  // The limit only lets Crier refuse early and say why; the instance checks every status.
  const limits = await mastodonInstanceLimits(api.client, credentials.url, api.signal);
  if (limits) {
    const used = countedLength(request.text, limits);
    if (used > limits.maxCharacters) {
      return {
        kind: 'rejected',
        message: `The text counts ${used} characters as this instance counts them (URLs ${limits.charactersReservedPerUrl}); its limit is ${limits.maxCharacters}`,
      };
    }
  }
  if (api.signal.aborted) {
    return { kind: 'retry', message: `No time left to post within ${call.timeoutMs} ms` };
  }

  let data: unknown;
  try {
    data = await createStatus(api, request);
  } catch (error) {
    return createOutcome(failure(error, api.signal, call.timeoutMs));
  }
  return published(data);
}

/**
 * After the idempotency window: the parent's replies (its context's descendants) by this
 * account. Only the parts of this share answer the parent from this account, so one such
 * reply is the part; the text decides between several.
 */
async function searchReplies(
  api: Api,
  request: StatusRequest & { inReplyToId: string },
  timeoutMs: number,
): Promise<ReconcileOutcome> {
  try {
    const me = z.object({ id: z.string().min(1) }).parse(
      await api.client.v1.accounts.verifyCredentials(undefined, {
        requestInit: { signal: api.signal },
      }),
    );
    const context = z
      .object({ descendants: z.array(statusSchema) })
      .parse(
        await api.client.v1.statuses
          .$select(request.inReplyToId)
          .context.fetch(undefined, { requestInit: { signal: api.signal } }),
      );
    const own = context.descendants.filter(
      (status) => status.inReplyToId === request.inReplyToId && status.account?.id === me.id,
    );
    const match =
      own.find((status) => folded(contentText(status.content)) === folded(request.text)) ??
      (own.length === 1 ? own[0] : undefined);
    if (match) return { kind: 'found', remoteId: match.id, remoteUrl: match.url ?? match.uri };
    if (own.length > 1) {
      return {
        kind: 'unsure',
        reason: `${own.length} replies of this account answer ${request.inReplyToId}, none with the part's text`,
      };
    }
    return { kind: 'absent' };
  } catch (error) {
    if (error instanceof z.ZodError) {
      return { kind: 'unsure', reason: 'Mastodon answered the context in an unexpected shape' };
    }
    return { kind: 'unsure', reason: failure(error, api.signal, timeoutMs).message };
  }
}

/** A delete or an edit is safe to repeat: whatever did not clearly finish is tried again. */
function withdrawFailure(f: Failure, action: WithdrawCall['action']): WithdrawOutcome {
  if (f.kind !== 'http') return { kind: 'retry', message: f.message };
  // The status is not there (deleted by hand, or by an earlier attempt): nothing to withdraw.
  if (f.status === 404) return { kind: 'withdrawn', note: 'the status was already gone' };
  if (f.status === 401) return { kind: 'auth', message: f.message };
  if (f.status === 429) {
    return { kind: 'rate', until: f.retryAt ?? new Date().toISOString(), message: f.message };
  }
  if (f.status >= 500 || f.status === 408) return { kind: 'retry', message: f.message };
  return { kind: 'rejected', message: `Mastodon refused the ${action}: ${f.message}` };
}

async function withdraw(call: WithdrawCall): Promise<WithdrawOutcome> {
  const id = call.share.remoteId;
  if (!id) return { kind: 'rejected', message: 'The share has no status id to withdraw' };
  const parsed = parseMastodonCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'auth', message: parsed.message };
  const client = restClient(parsed.credentials, call.timeoutMs);
  const signal = AbortSignal.timeout(call.timeoutMs);
  const status = client.v1.statuses.$select(id);
  try {
    if (call.action === 'delete') {
      await status.remove(undefined, { requestInit: { signal } });
    } else {
      // Without media_ids the edit drops the attachments: the notice stands alone.
      await status.update(
        { status: call.text, language: call.share.language },
        { requestInit: { signal } },
      );
    }
    return { kind: 'withdrawn' };
  } catch (error) {
    return withdrawFailure(failure(error, signal, call.timeoutMs), call.action);
  }
}

export const mastodonClient: NetworkClient = {
  withdraw,
  publish: (call) => post(call, asStatus(call.share)),

  async reconcile(call: ClientCall): Promise<ReconcileOutcome> {
    const api = open(call);
    if ('kind' in api) return { kind: 'unsure', reason: api.message };
    return withinWindow(call.share)
      ? resend(api, asStatus(call.share), call.timeoutMs)
      : searchStatuses(api, call.share, call.timeoutMs);
  },

  replies: {
    async publish(call: ReplyCall): Promise<PublishOutcome> {
      const request = asReply(call);
      if (!request) return { kind: 'rejected', message: `The share has no part ${call.index + 2}` };
      return post(call, request);
    },

    async reconcile(call: ReplyCall): Promise<ReconcileOutcome> {
      const request = asReply(call);
      if (!request) return { kind: 'unsure', reason: `The share has no part ${call.index + 2}` };
      const api = open(call);
      if ('kind' in api) return { kind: 'unsure', reason: api.message };
      return withinWindow(call.share)
        ? resend(api, request, call.timeoutMs)
        : searchReplies(api, { ...request, inReplyToId: call.parentId }, call.timeoutMs);
    },
  },
};
