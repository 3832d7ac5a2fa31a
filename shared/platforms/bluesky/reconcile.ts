/**
 * Finds out by its record key whether an earlier attempt posted the share, or a part of
 * its thread: the key is the share's own, so a getRecord answers for certain.
 */
import { XRPCError } from '@atproto/api';
import type { ClientCall, NoteCall, ReconcileOutcome, ReplyCall } from '../client';
import { parseBlueskyCredentials } from './credentials';
import { unsure } from './errors';
import { noteRecordKey } from './note-key';
import { POST, publicUrl } from './records';
import { inSession, type PooledAgent } from './session';

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

  return inSession(credentials, call, unsure, async ({ pooled, deadline, attempt }) => {
    const looked = await attempt(() => lookUp(pooled, rkey));
    if (looked.ok) {
      return {
        kind: 'found',
        remoteId: looked.uri,
        remoteUrl: publicUrl(pooled.agent.session, rkey),
      };
    }
    const { error } = looked;
    if (
      !('login' in looked) &&
      error instanceof XRPCError &&
      error.status === 400 &&
      error.error === 'RecordNotFound'
    ) {
      return { kind: 'absent' };
    }
    return unsure(error, deadline);
  });
}

export function reconcile(call: ClientCall): Promise<ReconcileOutcome> {
  const rkey = call.share.remoteKey;
  if (!rkey) {
    return Promise.resolve({
      kind: 'unsure',
      reason: 'The share has no record key (remoteKey) to look up',
    });
  }
  return reconcileKey(call, rkey);
}

export function reconcileReply(call: ReplyCall): Promise<ReconcileOutcome> {
  const rkey = call.share.threadKeys?.[call.index];
  if (!rkey) {
    return Promise.resolve({
      kind: 'unsure',
      reason: `The share has no record key for part ${call.index + 2} (threadKeys) to look up`,
    });
  }
  return reconcileKey(call, rkey);
}

/** A correction note, by the record key its own key makes: certain either way. */
export function reconcileNote(call: NoteCall): Promise<ReconcileOutcome> {
  return reconcileKey(call, noteRecordKey(call.parentId, call.key));
}
