/** Deletes a withdrawn article's Bluesky post, by the record its remote id names. */
import type { WithdrawCall, WithdrawOutcome } from '../client';
import { parseBlueskyCredentials } from './credentials';
import { deleteFailure } from './errors';
import { POST } from './records';
import { inSession, type PooledAgent } from './session';

/** `at://<did>/app.bsky.feed.post/<rkey>`, the remote id a published share records. */
const POST_URI = /^at:\/\/(did:[^/]+)\/app\.bsky\.feed\.post\/([^/]+)$/;

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
export async function withdraw(call: WithdrawCall): Promise<WithdrawOutcome> {
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
  return inSession(credentials, call, deleteFailure, async ({ pooled, deadline, attempt }) => {
    const deleted = await attempt(() => deletePost(pooled, repo, rkey));
    return deleted.ok ? { kind: 'withdrawn' } : deleteFailure(deleted.error, deadline);
  });
}
