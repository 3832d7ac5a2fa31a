/**
 * Compose's part of a correction: a new revision over a share already published, marked
 * as a correction or with a new headline, queues the correction on the share
 * (`correctionsDue`, keyed by the revision) for the publish worker (correct-post.ts).
 * A revision already queued or done is never queued again, so a redelivered message or a
 * repeated revision changes nothing; a channel that ignores it records so at once.
 */
import type { Channel } from '../domain/channel';
import {
  type CorrectionRecord,
  correctionKnown,
  correctionStep,
  correctionTrigger,
  type PendingCorrection,
  resolveCorrection,
  withCorrection,
  withPending,
} from '../domain/correction';
import { ConflictError } from '../domain/errors';
import type { ArticleRecord, Clock, ShareStore } from '../domain/ports';
import type { Share } from '../domain/share';
import { refOf } from '../domain/share-key';
import { editedPostText, editLimit } from '../platforms/correction-text';

export type PlanCorrectionDeps = { shares: ShareStore; clock: Clock };

const MAX_TRIES = 5;
const BY = 'crier';

/**
 * The share as written with the revision's correction queued, when the publish worker
 * must be sent to it (a correction waits on it); undefined when there is nothing to send.
 * `fresh` is the share compose made for the revision: its text is what an edit puts in
 * the post.
 */
export async function planCorrection(
  deps: PlanCorrectionDeps,
  record: ArticleRecord,
  channel: Channel,
  stored: Share,
  fresh: Share,
): Promise<Share | undefined> {
  const { article } = record;
  let current: Share | undefined = stored;
  for (let tries = 0; current && tries < MAX_TRIES; tries += 1) {
    // Only a post that is out, and was made from an earlier revision, has anything to correct.
    if (current.status !== 'published' || current.withdrawal) return undefined;
    if (current.articleRevision >= article.revision) return undefined;
    if (correctionKnown(current, article.revision)) {
      // Queued by an earlier attempt that may have stopped before its message went out.
      return current.correctionsDue?.some((p) => p.revision >= article.revision)
        ? current
        : undefined;
    }
    const headline = current.correctionsDue?.at(-1)?.title ?? current.headline;
    const trigger = correctionTrigger(article, headline);
    // Nothing new to correct; one still waiting (queued by an earlier round of this
    // compose, whose sends were left to the last round) is sent again all the same.
    if (!trigger) return current.correctionsDue?.length ? current : undefined;
    const now = deps.clock.now().toISOString();
    // Resolved here only to leave out what the channel ignores; the worker resolves again
    // with the network's client in hand.
    const resolved = resolveCorrection(channel.platform, channel.corrections, trigger, true);
    // An ignored correction is recorded at once; any other waits for the publish worker.
    let change: Pick<Share, 'corrections' | 'correctionsDue'>;
    let reason: string;
    if (resolved.action === 'ignore') {
      const ignored: CorrectionRecord = {
        revision: article.revision,
        trigger,
        action: 'ignore',
        outcome: 'ignored',
        at: now,
      };
      change = { corrections: withCorrection(current.corrections, ignored) };
      reason = `revision ${article.revision}: not corrected, the channel ignores it`;
    } else {
      // The editor's own text stays the post's text; a failed compose leaves the old one.
      const post = current.edited?.text || fresh.lastError ? current.text : fresh.text;
      const pending: PendingCorrection = {
        revision: article.revision,
        trigger,
        ...(article.correction ? { note: article.correction } : {}),
        title: article.title,
        text: editedPostText(
          channel,
          post,
          article.correction,
          editLimit(channel, current, fresh.length?.limit),
        ),
        at: now,
      };
      change = { correctionsDue: withPending(current.correctionsDue, pending) };
      reason = `revision ${article.revision}: ${trigger === 'correction' ? 'a correction' : 'a new headline'}, ${resolved.asked} queued`;
    }
    const next: Share = {
      ...current,
      headline: article.title,
      ...change,
      ...correctionStep(current, now, BY, reason),
    };
    if (await deps.shares.replace(current, next)) {
      return next.correctionsDue?.length ? next : undefined;
    }
    current = await deps.shares.get(refOf(stored));
  }
  if (!current) return undefined;
  throw new ConflictError(
    `Share ${stored.articleId}/${stored.channelId} kept changing while its correction was queued`,
  );
}
