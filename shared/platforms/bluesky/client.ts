/**
 * Posts a share to Bluesky with @atproto/api under the share's own record key (each part
 * of its thread as a reply under a key of its own), finds out by that key whether an
 * earlier attempt posted it (reconcile.ts), deletes the record when its article is
 * withdrawn (withdraw.ts), reads the post's counts (metrics.ts); a correction note is a
 * reply under a key of its own (docs/networks.md, Bluesky).
 */
import type { AppBskyFeedPost } from '@atproto/api';
import type { ClientCall, NetworkClient, NoteCall, PublishOutcome, ReplyCall } from '../client';
import { parseBlueskyCredentials } from './credentials';
import { afterCreate, beforeCreate } from './errors';
import { metrics } from './metrics';
import { noteRecordKey } from './note-key';
import { reconcile, reconcileNote, reconcileReply } from './reconcile';
import {
  type BlueskyClientOptions,
  type Draft,
  POST,
  type Prepared,
  prepareReply,
  prepareShare,
  publicUrl,
} from './records';
import { inSession, type PooledAgent } from './session';
import { withdraw } from './withdraw';

export type { BlueskyClientOptions, Thumbnail } from './records';

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

  return inSession(
    credentials,
    call,
    (error, deadline) => beforeCreate(error, 'the login', deadline),
    async ({ pooled, deadline, attempt }) => {
      const prepared = await attempt(() => prepare(pooled));
      if (!prepared.ok) {
        const step = 'login' in prepared ? 'the login' : prepared.step;
        return beforeCreate(prepared.error, step, deadline);
      }
      if (deadline.aborted) {
        return {
          kind: 'retry',
          message: 'The time ran out before createRecord was sent; nothing was posted',
        };
      }
      const created = await attempt(() => createPost(pooled, prepared.draft, rkey));
      if (!created.ok) {
        return 'login' in created
          ? beforeCreate(created.error, 'the login', deadline)
          : afterCreate(created.error, rkey, deadline);
      }
      return {
        kind: 'published',
        remoteId: created.uri,
        remoteUrl: publicUrl(pooled.agent.session, rkey),
        ...(prepared.warnings ? { warnings: prepared.warnings } : {}),
      };
    },
  );
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

/**
 * A correction note: a reply under the thread's root to `parentId`, with link facets as a
 * part of the thread gets, under a record key made from the note's key (note-key.ts).
 */
function publishNote(call: NoteCall): Promise<PublishOutcome> {
  if (!call.text.trim()) {
    return Promise.resolve({ kind: 'rejected', message: 'The note has no text' });
  }
  return post(
    call,
    noteRecordKey(call.parentId, call.key),
    prepareReply(call.share, call.text, call.parentId),
  );
}

/** A Bluesky client; `options.thumbnail` is where card thumbnails will come from. */
export function createBlueskyClient(options: BlueskyClientOptions = {}): NetworkClient {
  return {
    publish: (call) => publish(call, options),
    reconcile: (call) => reconcile(call),
    replies: { publish: publishReply, reconcile: reconcileReply },
    notes: { publish: publishNote, reconcile: reconcileNote },
    withdraw: (call) => withdraw(call),
    metrics: (call) => metrics(call),
  };
}

export const blueskyClient: NetworkClient = createBlueskyClient();
