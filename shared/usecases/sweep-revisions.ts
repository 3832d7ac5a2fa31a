/**
 * Finds revisions stored but never composed: the compose message was lost (a send that
 * failed after the write, a local queue that restarted with it) and no CMS resends it.
 * Ingest marks the article before it stores the revision; the tick reads the markers
 * whose grace has passed and asks the article item what is left to do. Composing is
 * idempotent (a composed revision is skipped, each share write is conditional), so a
 * message sent again beside a late one does no harm; the grace keeps that rare.
 */
import type { ArticleStore, Clock, ComposeMarkers, ComposeQueue } from '../domain/ports';

export type RevisionSweepConfig = {
  /** how long a compose message may take before its revision is looked at */
  graceSeconds: number;
  /** the longest wait between two sends of a revision that does not get composed */
  maxGraceSeconds: number;
};

export type RevisionSweepDeps = {
  articles: ArticleStore;
  markers: ComposeMarkers;
  composeQueue: ComposeQueue;
  clock: Clock;
  config: RevisionSweepConfig;
};

export type RevisionSweepReport = {
  /** revisions found uncomposed past their grace and sent to compose again */
  resent: number;
  /** markers of articles already composed (or gone): removed, nothing sent */
  cleared: number;
};

/** Markers one tick reads: the rest wait for the next tick. */
const MARKERS_PER_TICK = 100;

/** When a revision stored now is looked at, and after n sends, when next. */
export function checkAtAfter(config: RevisionSweepConfig, from: Date, resends: number): string {
  const seconds = Math.min(config.maxGraceSeconds, config.graceSeconds * 2 ** resends);
  return new Date(from.getTime() + seconds * 1000).toISOString();
}

export async function sweepRevisions(deps: RevisionSweepDeps): Promise<RevisionSweepReport> {
  const report: RevisionSweepReport = { resent: 0, cleared: 0 };
  const now = deps.clock.now();
  for (const marker of await deps.markers.endedBy(now.toISOString(), MARKERS_PER_TICK)) {
    const record = await deps.articles.get(marker.articleId);
    if (!record || (record.composedRevision ?? 0) >= record.article.revision) {
      await deps.markers.clear(marker);
      report.cleared += 1;
      continue;
    }
    // The next look is written before this one goes: a crash between the two leaves two
    // markers for one article, which the article item resolves, never none.
    const resends = marker.resends + 1;
    await deps.markers.mark({
      articleId: marker.articleId,
      checkAt: checkAtAfter(deps.config, now, resends),
      resends,
    });
    await deps.composeQueue.send({
      articleId: record.articleId,
      revision: record.article.revision,
    });
    await deps.markers.clear(marker);
    report.resent += 1;
  }
  return report;
}
