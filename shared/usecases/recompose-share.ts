/**
 * Writes a new revision over a share that already exists: the recompose rules
 * (shared/domain/recompose.ts) as one conditional replace on (status, version), re-read
 * and applied again when another writer (the dispatcher's claim, an editor) won first.
 */
import { ConflictError } from '../domain/errors';
import type { Clock, ShareStore } from '../domain/ports';
import { recompose } from '../domain/recompose';
import type { Share } from '../domain/share';

export type RecomposeDeps = { shares: ShareStore; clock: Clock };

export type RecomposeResult = {
  /** the share as the table now holds it */
  share: Share;
  /** whether this call wrote the new revision onto it */
  recomposed: boolean;
};

/** Writers settle quickly; past this many conflicts the message is retried by SQS. */
const MAX_TRIES = 5;

export async function recomposeStored(
  deps: RecomposeDeps,
  fresh: Share,
): Promise<RecomposeResult | undefined> {
  const ref = { articleId: fresh.articleId, channelId: fresh.channelId };
  for (let tries = 0; tries < MAX_TRIES; tries += 1) {
    const stored = await deps.shares.get(ref);
    if (!stored) return undefined;
    const next = recompose(stored, fresh, deps.clock.now());
    if (!next) return { share: stored, recomposed: false };
    if (await deps.shares.replace(stored, next.share)) {
      return { share: next.share, recomposed: true };
    }
  }
  throw new ConflictError(
    `Share ${fresh.articleId}/${fresh.channelId} kept changing while revision ${fresh.articleRevision} was written`,
  );
}
