/**
 * Posts a share to Bluesky with @atproto/api under the share's own record key (each part
 * of its thread as a reply under a key of its own), and finds out by that key whether an
 * earlier attempt posted it (docs/networks.md, Bluesky).
 * Posts a share to Bluesky with @atproto/api under the share's own record key, finds
 * out by that key whether an earlier attempt posted it, and deletes the record when its
 * article is withdrawn (docs/networks.md, Bluesky).
 */
import {
  type $Typed,
  type AppBskyEmbedExternal,
  type AppBskyFeedPost,
  AtpAgent,
  type AtpSessionData,
  type AtpSessionEvent,
  AtUri,
  type BlobRef,
  XRPCError,
} from '@atproto/api';
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
import { neverConnected } from '../transport';
import type { LinkCard } from '../types';
import { blueskyFacets } from './composer';
import { type BlueskyCredentials, parseBlueskyCredentials } from './credentials';

const POST = 'app.bsky.feed.post';

/** When a 429 names no reset, wait this long rather than hammer the PDS. */
const DEFAULT_RATE_WAIT_MS = 60_000;

/** An image for the card's thumbnail: at most 1,000,000 bytes, `image/*` (docs/networks.md). */
export type Thumbnail = { bytes: Uint8Array; mimeType: string };

export type BlueskyClientOptions = {
  /**
   * Where a card's thumbnail comes from. Nothing here fetches `card.imageUrl` (these
   * machines are offline; previews come from shared/preview later): when this returns
   * bytes, the client uploads them with `uploadBlob` and the blob goes into
   * `embed.external.thumb`; otherwise the card goes out without one.
   */
  thumbnail?: (card: LinkCard, signal: AbortSignal) => Promise<Thumbnail | undefined>;
};

/** What `ClientCall.session` holds between calls. */
const storedSessionSchema = z.object({
  service: z.string(),
  identifier: z.string(),
  did: z.string().startsWith('did:'),
  handle: z.string(),
  accessJwt: z.string().min(1),
  refreshJwt: z.string().min(1),
  /** the account's own PDS when the entryway named one in its DID document */
  pdsUrl: z.url().optional(),
});

type StoredSession = z.output<typeof storedSessionSchema>;

/**
 * An agent builds two lexicon registries (about 15 ms of CPU), so agents are kept and
 * reused; each serves one call at a time, and that call's deadline reaches every request
 * the agent makes, its own session refreshes included.
 */
class PooledAgent {
  readonly agent: AtpAgent;
  deadline: AbortSignal = new AbortController().signal;
  /** the agent logged in or refreshed during the current call */
  renewed = false;

  constructor(readonly service: string) {
    this.agent = new AtpAgent({
      service,
      fetch: (input, init) => this.fetch(input, init),
      persistSession: (event: AtpSessionEvent) => {
        if (event === 'create' || event === 'update') this.renewed = true;
        if (event === 'expired' || event === 'create-failed') this.renewed = false;
      },
    });
  }

  private fetch(input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> {
    const signals = [this.deadline];
    if (input instanceof Request) signals.push(input.signal);
    if (init?.signal) signals.push(init.signal);
    return fetch(input, { ...init, signal: AbortSignal.any(signals) });
  }
}

const IDLE_PER_SERVICE = 4;
const idle = new Map<string, PooledAgent[]>();

function checkout(service: string, deadline: AbortSignal): PooledAgent {
  const pooled = idle.get(service)?.pop() ?? new PooledAgent(service);
  pooled.deadline = deadline;
  pooled.renewed = false;
  pooled.agent.sessionManager.session = undefined;
  pooled.agent.sessionManager.pdsUrl = undefined;
  return pooled;
}

/** Only an agent whose requests all settled goes back: an aborted one may still be refreshing. */
function release(pooled: PooledAgent): void {
  if (pooled.deadline.aborted) return;
  pooled.agent.sessionManager.session = undefined;
  const list = idle.get(pooled.service) ?? [];
  if (list.length < IDLE_PER_SERVICE) list.push(pooled);
  idle.set(pooled.service, list);
}

function readSession(raw: string | undefined, credentials: BlueskyCredentials) {
  if (!raw) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const parsed = storedSessionSchema.safeParse(json);
  // A session of another account or server (the credentials changed) is not resumed.
  if (
    !parsed.success ||
    parsed.data.service !== credentials.service ||
    parsed.data.identifier !== credentials.identifier
  ) {
    return undefined;
  }
  return parsed.data;
}

/** The session to hand back when the agent logged in or refreshed during this call. */
function sessionToKeep(pooled: PooledAgent, credentials: BlueskyCredentials) {
  const session = pooled.agent.session;
  if (!pooled.renewed || !session) return undefined;
  const stored: StoredSession = {
    service: credentials.service,
    identifier: credentials.identifier,
    did: session.did,
    handle: session.handle,
    accessJwt: session.accessJwt,
    refreshJwt: session.refreshJwt,
    ...(pooled.agent.pdsUrl ? { pdsUrl: pooled.agent.pdsUrl.toString() } : {}),
  };
  return JSON.stringify(stored);
}

type Started = { ok: true; resumed: boolean } | { ok: false; error: unknown };

/**
 * Resumes the stored session as it is, without the refresh that `resumeSession` forces in
 * @atproto/api 0.19: a refresh rotates the refresh token, so two workers resuming the same
 * stored session would revoke each other's. The agent refreshes by itself when the PDS
 * answers `ExpiredToken`. Without a usable session it logs in (createSession is limited
 * to 30 per 5 minutes per account).
 */
async function startSession(
  pooled: PooledAgent,
  credentials: BlueskyCredentials,
  raw: string | undefined,
): Promise<Started> {
  const stored = readSession(raw, credentials);
  if (stored) {
    const session: AtpSessionData = {
      did: stored.did,
      handle: stored.handle,
      accessJwt: stored.accessJwt,
      refreshJwt: stored.refreshJwt,
      active: true,
    };
    pooled.agent.sessionManager.session = session;
    pooled.agent.sessionManager.pdsUrl = stored.pdsUrl ? new URL(stored.pdsUrl) : undefined;
    return { ok: true, resumed: true };
  }
  return login(pooled, credentials);
}

async function login(pooled: PooledAgent, credentials: BlueskyCredentials): Promise<Started> {
  try {
    await pooled.agent.login({
      identifier: credentials.identifier,
      password: credentials.password,
    });
    return { ok: true, resumed: false };
  } catch (error) {
    return { ok: false, error };
  }
}

/** The stored session is dead (revoked, or its refresh failed): a password login may help. */
function isSessionError(error: unknown): boolean {
  return (
    error instanceof XRPCError &&
    (error.status === 401 ||
      (error.status === 400 && (error.error === 'ExpiredToken' || error.error === 'InvalidToken')))
  );
}

function explain(error: XRPCError): string {
  return error.error ? `${error.status} ${error.error}: ${error.message}` : error.message;
}

/** RateLimit-Reset (Unix seconds) and Retry-After (seconds): the later of the two. */
function rateLimitedUntil(error: XRPCError, now = Date.now()): string {
  const headers = error.headers ?? {};
  const candidates: number[] = [];
  const reset = Number(headers['ratelimit-reset']);
  if (headers['ratelimit-reset'] && Number.isFinite(reset) && reset > 0) {
    candidates.push(reset * 1000);
  }
  const retryAfter = Number(headers['retry-after']);
  if (headers['retry-after'] && Number.isFinite(retryAfter) && retryAfter >= 0) {
    candidates.push(now + retryAfter * 1000);
  }
  const until = candidates.length > 0 ? Math.max(...candidates) : now + DEFAULT_RATE_WAIT_MS;
  return new Date(until).toISOString();
}

/** A failure before createRecord was sent: the post was certainly not made. */
function beforeCreate(error: unknown, step: string, deadline: AbortSignal): PublishOutcome {
  if (error instanceof XRPCError && error.status >= 400) {
    if (error.status === 429) {
      return {
        kind: 'rate',
        until: rateLimitedUntil(error),
        message: `Bluesky rate-limited ${step}: ${explain(error)}`,
      };
    }
    if (error.status >= 500) {
      return { kind: 'retry', message: `Bluesky failed ${step}: ${explain(error)}` };
    }
    if (error.status === 404 || error.status === 501) {
      return {
        kind: 'rejected',
        message: `The Bluesky service does not serve ${step} (${explain(error)}): check credentials.service`,
      };
    }
    if (isSessionError(error) || step === 'the login') {
      return { kind: 'auth', message: `Bluesky refused ${step}: ${explain(error)}` };
    }
    return { kind: 'rejected', message: `Bluesky refused ${step}: ${explain(error)}` };
  }
  if (deadline.aborted) {
    return {
      kind: 'retry',
      message: `No answer from Bluesky to ${step} in time; nothing was posted`,
    };
  }
  const detail = error instanceof Error ? error.message : String(error);
  return { kind: 'retry', message: `Could not reach Bluesky for ${step}: ${detail}` };
}

/** A failure once createRecord may have been sent (docs/networks.md, Bluesky, Errors). */
function afterCreate(error: unknown, rkey: string, deadline: AbortSignal): PublishOutcome {
  const mayExist = `the record may exist (rkey ${rkey}): reconcile before any retry`;
  if (error instanceof XRPCError && error.status >= 400) {
    if (error.status === 429) {
      return {
        kind: 'rate',
        until: rateLimitedUntil(error),
        message: `Bluesky rate-limited createRecord: ${explain(error)}`,
      };
    }
    if (error.status >= 500 && error.status !== 501) {
      // A repeated rkey fails inside the repo write and surfaces as this same plain 500.
      return { kind: 'unknown', message: `Bluesky answered ${explain(error)}; ${mayExist}` };
    }
    if (error.status === 401 || error.status === 403 || isSessionError(error)) {
      return { kind: 'auth', message: `Bluesky refused the credentials: ${explain(error)}` };
    }
    if (error.status === 400 && error.error === 'ConcurrentWrites') {
      return { kind: 'retry', message: `Bluesky refused a concurrent write: ${explain(error)}` };
    }
    if (error.status === 404 || error.status === 501) {
      return {
        kind: 'rejected',
        message: `The Bluesky service does not serve createRecord (${explain(error)}): check credentials.service`,
      };
    }
    return { kind: 'rejected', message: `Bluesky refused the post: ${explain(error)}` };
  }
  if (deadline.aborted) {
    return {
      kind: 'unknown',
      message: `No answer from Bluesky to createRecord in time; ${mayExist}`,
    };
  }
  if (neverConnected(error)) {
    const detail = error instanceof Error ? error.message : String(error);
    return { kind: 'retry', message: `Could not connect to Bluesky: ${detail}` };
  }
  // A dropped connection, or a 200 whose body was not a createRecord answer.
  const detail = error instanceof Error ? error.message : String(error);
  return { kind: 'unknown', message: `createRecord failed (${detail}); ${mayExist}` };
}

function externalEmbed(
  card: LinkCard,
  thumb: BlobRef | undefined,
): $Typed<AppBskyEmbedExternal.Main> {
  return {
    $type: 'app.bsky.embed.external',
    external: {
      uri: card.url,
      title: card.title,
      // The lexicon requires the field, even empty.
      description: card.description ?? '',
      ...(thumb ? { thumb } : {}),
    },
  };
}

/** A post's record but its `createdAt`, which is stamped when createRecord is sent. */
type Draft = Pick<AppBskyFeedPost.Main, '$type' | 'text' | 'facets' | 'langs' | 'embed' | 'reply'>;

function shareDraft(share: Share, thumb: BlobRef | undefined): Draft {
  return {
    $type: POST,
    text: share.text,
    ...(share.facets && share.facets.length > 0 ? { facets: share.facets } : {}),
    ...(share.language ? { langs: [share.language] } : {}),
    ...(share.card ? { embed: externalEmbed(share.card, thumb) } : {}),
  };
}

/** A strong reference (uri and cid), as a reply names its root and its parent. */
type StrongRef = { uri: string; cid: string };

/**
 * A part of the thread: its own text with its own facets (the composer's are for the
 * first post), and `reply` naming the thread's first post as root and the previous
 * post as parent.
 */
function replyDraft(share: Share, text: string, root: StrongRef, parent: StrongRef): Draft {
  const facets = blueskyFacets(text);
  return {
    $type: POST,
    text,
    ...(facets.length > 0 ? { facets } : {}),
    ...(share.language ? { langs: [share.language] } : {}),
    reply: { root, parent },
  };
}

/** `https://bsky.app/profile/{handle}/post/{rkey}`; the DID when the handle does not verify. */
function publicUrl(session: { did: string; handle: string } | undefined, rkey: string): string {
  const actor = !session || session.handle === 'handle.invalid' ? session?.did : session.handle;
  return `https://bsky.app/profile/${actor ?? 'unknown'}/post/${rkey}`;
}

/** What must be there before createRecord (a thumbnail, the reply's references), or why not. */
type Prepared = { ok: true; draft: Draft } | { ok: false; error: unknown; step: string };

async function uploadThumbnail(
  pooled: PooledAgent,
  card: LinkCard,
  options: BlueskyClientOptions,
): Promise<{ ok: true; blob?: BlobRef } | { ok: false; error: unknown }> {
  if (!options.thumbnail) return { ok: true };
  try {
    const image = await options.thumbnail(card, pooled.deadline);
    if (!image) return { ok: true };
    const uploaded = await pooled.agent.com.atproto.repo.uploadBlob(image.bytes, {
      encoding: image.mimeType,
    });
    return { ok: true, blob: uploaded.data.blob };
  } catch (error) {
    return { ok: false, error };
  }
}

/** The share's own post: its card's thumbnail uploaded first, where there is one. */
function prepareShare(share: Share, options: BlueskyClientOptions) {
  return async (pooled: PooledAgent): Promise<Prepared> => {
    if (!share.card) return { ok: true, draft: shareDraft(share, undefined) };
    const uploaded = await uploadThumbnail(pooled, share.card, options);
    if (!uploaded.ok) return { ok: false, error: uploaded.error, step: 'the thumbnail upload' };
    return { ok: true, draft: shareDraft(share, uploaded.blob) };
  };
}

/** A post's strong reference, read back from the repository by its `at://` URI. */
async function strongRef(pooled: PooledAgent, uri: string): Promise<StrongRef> {
  const at = new AtUri(uri);
  const response = await pooled.agent.com.atproto.repo.getRecord({
    repo: at.host,
    collection: at.collection,
    rkey: at.rkey,
  });
  if (!response.data.cid) throw new Error(`getRecord answered ${uri} without its cid`);
  return { uri: response.data.uri, cid: response.data.cid };
}

/**
 * A part of the thread: the root's and the parent's cids come from the repository (only
 * their URIs are recorded), so a resumed thread needs nothing kept from earlier calls.
 */
function prepareReply(share: Share, text: string, parentId: string) {
  return async (pooled: PooledAgent): Promise<Prepared> => {
    const rootId = share.remoteId;
    if (!rootId) {
      return { ok: false, error: new Error('the thread has no first post'), step: 'the reply' };
    }
    try {
      const root = await strongRef(pooled, rootId);
      const parent = parentId === rootId ? root : await strongRef(pooled, parentId);
      return { ok: true, draft: replyDraft(share, text, root, parent) };
    } catch (error) {
      return { ok: false, error, step: 'the lookup of the post it answers' };
    }
  };
}

type Created = { ok: true; uri: string } | { ok: false; error: unknown };

async function createPost(pooled: PooledAgent, draft: Draft, rkey: string): Promise<Created> {
  const did = pooled.agent.session?.did;
  if (!did) return { ok: false, error: new Error('No Bluesky session') };
  const record: AppBskyFeedPost.Main = { ...draft, createdAt: new Date().toISOString() };
  try {
    const response = await pooled.agent.com.atproto.repo.createRecord({
      repo: did,
      collection: POST,
      rkey,
      record,
    });
    return { ok: true, uri: response.data.uri };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * One post under its own record key: the session resumed (or a login), what the post
 * needs prepared, then createRecord. A resumed session that turns out dead gets one
 * password login and the failed step again.
 */
async function post(
  call: ClientCall,
  rkey: string,
  prepare: (pooled: PooledAgent) => Promise<Prepared>,
): Promise<PublishOutcome> {
  const parsed = parseBlueskyCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'auth', message: parsed.message };
  const { credentials } = parsed;

  const deadline = AbortSignal.timeout(call.timeoutMs);
  const pooled = checkout(credentials.service, deadline);
  const withSession = (outcome: PublishOutcome): PublishOutcome => {
    const session = sessionToKeep(pooled, credentials);
    return session ? { ...outcome, session } : outcome;
  };
  try {
    const started = await startSession(pooled, credentials, call.session);
    if (!started.ok) return withSession(beforeCreate(started.error, 'the login', deadline));

    let prepared = await prepare(pooled);
    if (!prepared.ok && started.resumed && isSessionError(prepared.error)) {
      const again = await login(pooled, credentials);
      if (!again.ok) return withSession(beforeCreate(again.error, 'the login', deadline));
      prepared = await prepare(pooled);
    }
    if (!prepared.ok) return withSession(beforeCreate(prepared.error, prepared.step, deadline));

    if (deadline.aborted) {
      return withSession({
        kind: 'retry',
        message: 'The time ran out before createRecord was sent; nothing was posted',
      });
    }
    let created = await createPost(pooled, prepared.draft, rkey);
    // The agent already tried a refresh; a 400/401 auth error means nothing was written.
    if (!created.ok && started.resumed && isSessionError(created.error)) {
      const again = await login(pooled, credentials);
      if (!again.ok) return withSession(beforeCreate(again.error, 'the login', deadline));
      created = await createPost(pooled, prepared.draft, rkey);
    }
    if (!created.ok) return withSession(afterCreate(created.error, rkey, deadline));
    return withSession({
      kind: 'published',
      remoteId: created.uri,
      remoteUrl: publicUrl(pooled.agent.session, rkey),
    });
  } finally {
    release(pooled);
  }
}

function publish(call: ClientCall, options: BlueskyClientOptions): Promise<PublishOutcome> {
  const rkey = call.share.remoteKey;
  if (!rkey) {
    return Promise.resolve({
      kind: 'rejected',
      message: 'The share has no record key (remoteKey): it must be set at the first claim',
    });
  }
  return post(call, rkey, prepareShare(call.share, options));
}

function publishReply(call: ReplyCall): Promise<PublishOutcome> {
  const text = call.share.thread?.[call.index];
  const rkey = call.share.threadKeys?.[call.index];
  if (text === undefined || !rkey) {
    return Promise.resolve({
      kind: 'rejected',
      message: `The share has no part ${call.index + 2}, or no record key for it (threadKeys): they are set at the first claim`,
    });
  }
  return post(call, rkey, prepareReply(call.share, text, call.parentId));
}

function unsure(error: unknown, deadline: AbortSignal): ReconcileOutcome {
  if (error instanceof XRPCError && error.status === 429) {
    return {
      kind: 'unsure',
      reason: `Bluesky rate-limited the lookup until ${rateLimitedUntil(error)}`,
    };
  }
  if (error instanceof XRPCError && error.status >= 400) {
    return { kind: 'unsure', reason: `Bluesky answered the lookup with ${explain(error)}` };
  }
  if (deadline.aborted) return { kind: 'unsure', reason: 'No answer from Bluesky in time' };
  const detail = error instanceof Error ? error.message : String(error);
  return { kind: 'unsure', reason: `Could not reach Bluesky: ${detail}` };
}

type Looked = { ok: true; uri: string } | { ok: false; error: unknown };

async function lookUp(pooled: PooledAgent, rkey: string): Promise<Looked> {
  const did = pooled.agent.session?.did;
  if (!did) return { ok: false, error: new Error('No Bluesky session') };
  try {
    const response = await pooled.agent.com.atproto.repo.getRecord({
      repo: did,
      collection: POST,
      rkey,
    });
    return { ok: true, uri: response.data.uri };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Whether the record under `rkey` exists: the post, or the part, is out or certainly not. */
async function reconcileKey(call: ClientCall, rkey: string): Promise<ReconcileOutcome> {
  const parsed = parseBlueskyCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'unsure', reason: parsed.message };
  const { credentials } = parsed;

  const deadline = AbortSignal.timeout(call.timeoutMs);
  const pooled = checkout(credentials.service, deadline);
  const withSession = (outcome: ReconcileOutcome): ReconcileOutcome => {
    const session = sessionToKeep(pooled, credentials);
    return session ? { ...outcome, session } : outcome;
  };
  try {
    const started = await startSession(pooled, credentials, call.session);
    if (!started.ok) return withSession(unsure(started.error, deadline));
    let looked = await lookUp(pooled, rkey);
    if (!looked.ok && started.resumed && isSessionError(looked.error)) {
      const again = await login(pooled, credentials);
      if (!again.ok) return withSession(unsure(again.error, deadline));
      looked = await lookUp(pooled, rkey);
    }
    if (looked.ok) {
      return withSession({
        kind: 'found',
        remoteId: looked.uri,
        remoteUrl: publicUrl(pooled.agent.session, rkey),
      });
    }
    const { error } = looked;
    if (error instanceof XRPCError && error.status === 400 && error.error === 'RecordNotFound') {
      return withSession({ kind: 'absent' });
    }
    return withSession(unsure(error, deadline));
  } finally {
    release(pooled);
  }
}

function reconcile(call: ClientCall): Promise<ReconcileOutcome> {
  const rkey = call.share.remoteKey;
  if (!rkey) {
    return Promise.resolve({
      kind: 'unsure',
      reason: 'The share has no record key (remoteKey) to look up',
    });
  }
  return reconcileKey(call, rkey);
}

function reconcileReply(call: ReplyCall): Promise<ReconcileOutcome> {
  const rkey = call.share.threadKeys?.[call.index];
  if (!rkey) {
    return Promise.resolve({
      kind: 'unsure',
      reason: `The share has no record key for part ${call.index + 2} (threadKeys) to look up`,
    });
  }
  return reconcileKey(call, rkey);
}

/** `at://<did>/app.bsky.feed.post/<rkey>`, the remote id a published share records. */
const POST_URI = /^at:\/\/(did:[^/]+)\/app\.bsky\.feed\.post\/([^/]+)$/;

function deleteFailure(error: unknown, deadline: AbortSignal): WithdrawOutcome {
  if (error instanceof XRPCError && error.status >= 400) {
    const message = `Bluesky refused the delete: ${explain(error)}`;
    if (error.status === 429) return { kind: 'rate', until: rateLimitedUntil(error), message };
    if (error.status >= 500) return { kind: 'retry', message };
    if (error.status === 401 || error.status === 403 || isSessionError(error)) {
      return { kind: 'auth', message };
    }
    return { kind: 'rejected', message };
  }
  if (deadline.aborted)
    return { kind: 'retry', message: 'No answer from Bluesky to the delete in time' };
  const detail = error instanceof Error ? error.message : String(error);
  return { kind: 'retry', message: `Could not reach Bluesky for the delete: ${detail}` };
}

async function deletePost(pooled: PooledAgent, repo: string, rkey: string) {
  try {
    await pooled.agent.com.atproto.repo.deleteRecord({ repo, collection: POST, rkey });
    return { ok: true as const };
  } catch (error) {
    return { ok: false as const, error };
  }
}

/**
 * Deletes the post's record. Bluesky has no edit (docs/networks.md), and deleting a record
 * that is not there succeeds, so a repeated delete is harmless.
 */
async function withdraw(call: WithdrawCall): Promise<WithdrawOutcome> {
  if (call.action !== 'delete') {
    return { kind: 'rejected', message: 'Bluesky posts cannot be edited: delete it by hand' };
  }
  const uri = POST_URI.exec(call.share.remoteId ?? '');
  if (!uri?.[1] || !uri[2]) {
    return { kind: 'rejected', message: 'The share has no Bluesky post URI to delete' };
  }
  const [, repo, rkey] = uri;
  const parsed = parseBlueskyCredentials(call.credentials);
  if (!parsed.ok) return { kind: 'auth', message: parsed.message };
  const { credentials } = parsed;
  const deadline = AbortSignal.timeout(call.timeoutMs);
  const pooled = checkout(credentials.service, deadline);
  const withSession = (outcome: WithdrawOutcome): WithdrawOutcome => {
    const session = sessionToKeep(pooled, credentials);
    return session ? { ...outcome, session } : outcome;
  };
  try {
    const started = await startSession(pooled, credentials, call.session);
    if (!started.ok) return withSession(deleteFailure(started.error, deadline));
    let deleted = await deletePost(pooled, repo, rkey);
    if (!deleted.ok && started.resumed && isSessionError(deleted.error)) {
      const again = await login(pooled, credentials);
      if (!again.ok) return withSession(deleteFailure(again.error, deadline));
      deleted = await deletePost(pooled, repo, rkey);
    }
    return withSession(deleted.ok ? { kind: 'withdrawn' } : deleteFailure(deleted.error, deadline));
  } finally {
    release(pooled);
  }
}

/** A Bluesky client; `options.thumbnail` is where card thumbnails will come from. */
export function createBlueskyClient(options: BlueskyClientOptions = {}): NetworkClient {
  return {
    publish: (call) => publish(call, options),
    reconcile: (call) => reconcile(call),
    replies: { publish: publishReply, reconcile: reconcileReply },
    withdraw: (call) => withdraw(call),
  };
}

export const blueskyClient: NetworkClient = createBlueskyClient();
