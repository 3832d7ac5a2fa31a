/**
 * The rules for a new article revision over a share that has not gone out yet (draft,
 * scheduled, queued): its content composed again from the revision and stamped with
 * it, except what an editor changed by hand (`edited`). Pure: the caller writes it.
 */
import { applyEvent, type HistoryEntry, type Share } from './share';
import { isEditable } from './share-state';

export type Recomposed = {
  share: Share;
  /** the fields whose value changed, in the words of the history */
  changed: string[];
  /** dueAt changed: a queued share went back to scheduled, and may need sending again */
  moved: boolean;
};

/** What a composer makes from the article; each goes with the text or with the page. */
const TEXT_FIELDS = ['text', 'facets', 'length', 'thread', 'hashtags'] as const;
const PAGE_FIELDS = ['url', 'card', 'media', 'warnings', 'language'] as const;
/** What a multi-step network's prepared container holds: a change means a new one. */
const PREPARED_FROM = ['text', 'url', 'media'] as const;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The editor's image (and its alt text) kept over the new revision's: the share's media,
 * and its card's thumbnail, where the network shows the image there (Bluesky, LinkedIn).
 */
function keepImage(next: Share, stored: Share): void {
  next.media = stored.media;
  if (next.card) {
    const { imageUrl: _url, imageAlt: _alt, ...bare } = next.card;
    next.card = {
      ...bare,
      ...(stored.card?.imageUrl ? { imageUrl: stored.card.imageUrl } : {}),
      ...(stored.card?.imageAlt ? { imageAlt: stored.card.imageAlt } : {}),
    };
  }
}

/** How newShare's reason starts when its composer failed: a new revision that composes clears it. */
const COMPOSE_FAILURE = 'Could not compose';

/**
 * `stored` recomposed as `fresh` (the share newShare makes for the new revision), or
 * undefined when the revision must not touch it: the share is no longer editable
 * (publishing, published, failed, unknown, cancelled), or it already holds this
 * revision or a newer one (a late message of an older revision changes nothing).
 *
 * dueAt: the editor's, where they set one; otherwise the new revision's, unless both
 * come to the same moment (both past mean "now"), so that composing again later does
 * not move a share whose schedule did not change.
 */
export function recompose(
  stored: Share,
  fresh: Share,
  now: Date,
  by = 'crier',
): Recomposed | undefined {
  if (!isEditable(stored.status)) return undefined;
  if (stored.articleRevision >= fresh.articleRevision) return undefined;
  const revision = fresh.articleRevision;
  const at = now.toISOString();
  // The editor's parts of a thread go with the first post: either kept keeps the post whole.
  const keptText = Boolean(stored.edited?.text || stored.edited?.thread);
  const keptDue = Boolean(stored.edited?.dueAt);
  const keptImage = Boolean(stored.edited?.image || stored.edited?.imageAlt !== undefined);
  // newShare sets lastError only when the composer failed: the text it left is empty.
  const failure = fresh.lastError;

  const next: Share = { ...stored, articleRevision: revision };
  // The headline the share follows, for a correction once its post is out (plan-correction.ts).
  if (fresh.headline !== undefined) next.headline = fresh.headline;
  if (!failure) {
    for (const field of PAGE_FIELDS) Object.assign(next, { [field]: fresh[field] });
    if (keptImage) keepImage(next, stored);
    if (!keptText) for (const field of TEXT_FIELDS) Object.assign(next, { [field]: fresh[field] });
  }
  const effective = (iso: string) => Math.max(Date.parse(iso), now.getTime());
  const moved = !keptDue && effective(stored.dueAt) !== effective(fresh.dueAt);
  if (moved) next.dueAt = fresh.dueAt;

  const changed = [...TEXT_FIELDS, ...PAGE_FIELDS, 'dueAt' as const].filter(
    (field) => !same(stored[field], next[field]),
  );
  if (PREPARED_FROM.some((field) => changed.includes(field))) delete next.preparedId;
  if (failure) next.lastError = failure;
  else if (stored.lastError?.startsWith(COMPOSE_FAILURE)) delete next.lastError;

  const notes = [
    failure
      ? `could not recompose (${failure}); kept revision ${stored.articleRevision}'s post`
      : changed.length
        ? `new ${changed.join(', ')}`
        : 'nothing to change',
    keptText && !failure
      ? stored.edited?.thread
        ? "kept the editor's text and thread"
        : "kept the editor's text"
      : undefined,
    keptDue ? "kept the editor's time" : undefined,
    keptImage && !failure ? "kept the editor's image" : undefined,
  ].filter(Boolean);
  const note: HistoryEntry = {
    at,
    event: 'recompose',
    from: stored.status,
    to: stored.status,
    by,
    reason: `revision ${revision}: ${notes.join('; ')}`,
  };
  let share: Share = {
    ...next,
    version: stored.version + 1,
    updatedAt: at,
    history: [...stored.history, note],
  };
  if (moved && stored.status === 'queued') {
    // Its message is on its way for the old time: back to scheduled, and sent again.
    share = {
      ...applyEvent(share, 'reschedule', {
        at: now,
        by,
        reason: `revision ${revision} moved dueAt to ${next.dueAt}`,
      }),
      version: stored.version + 1,
    };
  }
  return { share, changed, moved };
}
