/**
 * What an editor may do to a share (docs/architecture.md, "The share state machine"): change its
 * text and dueAt, approve, cancel, publish now, retry. Each function takes the share as
 * stored and returns the share to write, or throws a typed error: a ConflictError where
 * the state machine (or the article) forbids it, a ValidationError for bad input.
 */
import type { Article } from './article';
import { ConflictError, ForbiddenError, ValidationError } from './errors';
import { applyEvent, boundShare, type HistoryEntry, type Share } from './share';
import type { ImageChoice } from './share-image';
import { cancelOutcome, isEditable } from './share-state';

export const SHARE_ACTIONS = ['approve', 'cancel', 'publish-now', 'retry'] as const;

/**
 * The longest text the API takes at all, whatever the network (Facebook's is 63,206); each
 * network's own limit is checked later (shared/platforms/edited-text.ts).
 */
export const MAX_EDITED_TEXT = 70_000;
export type ShareAction = (typeof SHARE_ACTIONS)[number];

/** How far in the past an edited dueAt may be (a clock a little behind, a slow form). */
export const DUE_AT_GRACE_SECONDS = 60;

export type EditorContext = {
  at: Date;
  /** who did it, for the history */
  by: string;
  /** admins may also confirm that a post whose outcome is unknown is not there */
  role: 'editor' | 'admin';
  /** the share's article as stored: its status and its embargo */
  article: Pick<Article, 'status' | 'shareAt'>;
};

/** A new text for the share and the fields that follow from it. */
export type TextChange = {
  /** true when the editor's text is dropped and the composed text is back */
  reset: boolean;
  fields: Pick<Share, 'text' | 'hashtags'> &
    Partial<Pick<Share, 'length' | 'facets' | 'thread' | 'url' | 'language' | 'articleRevision'>>;
};

/**
 * New replies for a thread (the posts after the first): the editor's (`reset` false), or
 * the composed ones back (`reset` true). No parts: the post is a single one.
 */
export type ThreadChange = { reset: boolean; parts: string[] | undefined };

/** A new image or alt text for the share (shared/usecases/share-image.ts made it). */
export type ImageEdit = {
  fields: Pick<Share, 'media' | 'card' | 'warnings'>;
  /** the editor's new choice, to record */
  choice?: ImageChoice;
  /** the editor's new alt text; null drops it */
  alt?: string | null;
  /** for the history */
  reason: string;
};

export type ShareEdit = {
  text?: TextChange;
  thread?: ThreadChange;
  dueAt?: string;
  image?: ImageEdit;
};

/** Stored items come back with their keys in the schema's order: compare without it. */
const sorted = (_key: string, value: unknown) =>
  value && typeof value === 'object' && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)))
    : value;
const same = (a: unknown, b: unknown) => JSON.stringify(a, sorted) === JSON.stringify(b, sorted);

/** What an action did: `accepted` when it is recorded but its effect is not certain (202). */
export type ActionResult = { share: Share; accepted: boolean };

function requirePublished(article: EditorContext['article'], what: string): void {
  if (article.status !== 'published') {
    throw new ConflictError(`The article is ${article.status}: its shares cannot ${what}`);
  }
}

/** The share may take an editor's text or dueAt (draft, scheduled or queued). */
export function assertEditable(share: Share, article: EditorContext['article']): void {
  if (!isEditable(share.status)) {
    throw new ConflictError(
      `A ${share.status} share can no longer be edited: only draft, scheduled and queued shares can`,
    );
  }
  requirePublished(article, 'be edited');
}

/**
 * An editor's dueAt, as a UTC instant: not in the past beyond a small grace, and never
 * before the article's embargo.
 */
export function checkDueAt(value: string, at: Date, shareAt?: string): string {
  const due = new Date(value);
  const invalid = (message: string) =>
    new ValidationError(`Invalid dueAt: ${message}`, [{ field: 'dueAt', message }]);
  if (Number.isNaN(due.getTime())) throw invalid('is not a date and time');
  if (due.getTime() < at.getTime() - DUE_AT_GRACE_SECONDS * 1000) {
    throw invalid(`is in the past (now is ${at.toISOString()})`);
  }
  if (shareAt && due.getTime() < new Date(shareAt).getTime()) {
    throw invalid(`is before the article's embargo, shareAt ${shareAt}`);
  }
  return due.toISOString();
}

function note(
  share: Share,
  event: HistoryEntry['event'],
  from: Share,
  by: string,
  at: string,
  reason: string,
): HistoryEntry {
  return { at, event, from: from.status, to: share.status, by, reason };
}

/** The share with its editor edits recorded: `edited` stamps, without empty leftovers. */
function stampEdited(
  edited: Share['edited'],
  changes: {
    text?: string | null;
    thread?: string | null;
    dueAt?: string;
    image?: ImageChoice;
    imageAlt?: string | null;
  },
): Share['edited'] {
  const next = { ...edited };
  if (changes.text === null) delete next.text;
  else if (changes.text) next.text = changes.text;
  if (changes.thread === null) delete next.thread;
  else if (changes.thread) next.thread = changes.thread;
  if (changes.dueAt) next.dueAt = changes.dueAt;
  if (changes.image) next.image = changes.image;
  if (changes.imageAlt === null) delete next.imageAlt;
  else if (changes.imageAlt) next.imageAlt = changes.imageAlt;
  return next.text || next.thread || next.dueAt || next.image || next.imageAlt !== undefined
    ? next
    : undefined;
}

/** Whether the edit changes the share's image, its alt text or the editor's recorded choice. */
function imageChanges(share: Share, image: ImageEdit | undefined): boolean {
  if (!image) return false;
  return (
    !same(image.fields.media, share.media) ||
    !same(image.fields.card, share.card) ||
    (image.choice !== undefined && !same(image.choice, share.edited?.image)) ||
    (image.alt !== undefined && (image.alt ?? undefined) !== share.edited?.imageAlt)
  );
}

const sameParts = (a: readonly string[] | undefined, b: readonly string[] | undefined) =>
  JSON.stringify(a ?? []) === JSON.stringify(b ?? []);

function withEdited(share: Share, edited: Share['edited']): Share {
  const next = { ...share, edited };
  if (!edited) delete next.edited;
  return next;
}

/**
 * The share after an editor's PATCH. A queued share whose dueAt moves goes back to
 * scheduled (`reschedule`); a new text or thread drops a prepared container (it holds
 * the old text). Nothing changed: the same share object, so nothing is written.
 */
export function applyEdit(share: Share, edit: ShareEdit, ctx: EditorContext): Share {
  assertEditable(share, ctx.article);
  const at = ctx.at.toISOString();
  // Going back to the composed text changes something if the text or the mark differs.
  const textChanged =
    edit.text !== undefined &&
    (edit.text.fields.text !== share.text || (edit.text.reset && share.edited?.text !== undefined));
  const threadChanged =
    edit.thread !== undefined &&
    (!sameParts(edit.thread.parts, share.thread) ||
      (edit.thread.reset && share.edited?.thread !== undefined));
  const dueAt = edit.dueAt !== undefined && edit.dueAt !== share.dueAt ? edit.dueAt : undefined;
  const imageChanged = imageChanges(share, edit.image);
  if (!textChanged && !threadChanged && dueAt === undefined && !imageChanged) return share;

  const reasons: string[] = [];
  let patch: Partial<Share> = {};
  if (edit.text && textChanged) {
    patch = { ...edit.text.fields, preparedId: undefined };
    // A draft's error is compose's "could not make a post": the editor's text answers it.
    if (share.status === 'draft') patch.lastError = undefined;
    reasons.push(edit.text.reset ? 'text back to the composed text' : 'text edited');
  }
  if (edit.thread && threadChanged) {
    const { parts } = edit.thread;
    patch = { ...patch, thread: parts?.length ? parts : undefined, preparedId: undefined };
    // The hashtags the posts carry, the replies' included, as the text change counted them.
    if (edit.text) patch.hashtags = edit.text.fields.hashtags;
    if (share.status === 'draft') patch.lastError = undefined;
    reasons.push(
      edit.thread.reset
        ? 'thread back to the composed parts'
        : parts?.length
          ? `thread edited (${parts.length + 1} posts)`
          : 'thread removed: a single post',
    );
  }
  if (dueAt) {
    patch.dueAt = dueAt;
    reasons.push(`dueAt ${share.dueAt} -> ${dueAt}`);
  }
  if (edit.image && imageChanged) {
    // A prepared container holds the old image: a new one is made at the next claim.
    patch = { ...patch, ...edit.image.fields, preparedId: undefined };
    if (edit.image.reason) reasons.push(edit.image.reason);
  }
  const edited = stampEdited(share.edited, {
    text: edit.text && textChanged ? (edit.text.reset ? null : at) : undefined,
    thread: edit.thread && threadChanged ? (edit.thread.reset ? null : at) : undefined,
    dueAt: dueAt ? at : undefined,
    ...(edit.image && imageChanged ? { image: edit.image.choice, imageAlt: edit.image.alt } : {}),
  });
  const moved =
    dueAt && share.status === 'queued'
      ? applyEvent(share, 'reschedule', {
          at: ctx.at,
          by: ctx.by,
          reason: 'an editor moved its dueAt',
          patch,
        })
      : { ...share, ...patch, version: share.version + 1, updatedAt: at };
  const next = withEdited(moved, edited);
  return boundShare({
    ...next,
    history: [...next.history, note(next, 'edit', share, ctx.by, at, reasons.join('; '))],
  });
}

/** An action on a share: see SHARE_ACTIONS and docs/api.md, "The editor API". */
export function applyAction(share: Share, action: ShareAction, ctx: EditorContext): ActionResult {
  switch (action) {
    case 'approve':
      return { share: approve(share, ctx, 'approved'), accepted: false };
    case 'cancel':
      return cancel(share, ctx);
    case 'publish-now':
      return { share: publishNow(share, ctx), accepted: false };
    case 'retry':
      return { share: retry(share, ctx), accepted: false };
  }
}

function requireText(share: Share): void {
  if (share.text.trim() === '') {
    throw new ConflictError(
      `This share has no text${share.lastError ? ` (${share.lastError})` : ''}: set its text first`,
    );
  }
}

function approve(share: Share, ctx: EditorContext, reason: string, dueAt?: string): Share {
  if (share.status !== 'draft') {
    throw new ConflictError(`A ${share.status} share cannot be approved: only a draft can`);
  }
  requirePublished(ctx.article, 'be approved');
  requireText(share);
  const patch: Partial<Share> = {};
  if (dueAt) {
    patch.dueAt = dueAt;
    patch.edited = stampEdited(share.edited, { dueAt: ctx.at.toISOString() });
  }
  return applyEvent(share, 'approve', { at: ctx.at, by: ctx.by, reason, patch });
}

function cancel(share: Share, ctx: EditorContext): ActionResult {
  switch (cancelOutcome(share.status)) {
    case 'cancel':
      return {
        share: applyEvent(share, 'cancel', {
          at: ctx.at,
          by: ctx.by,
          reason: 'an editor cancelled it',
        }),
        accepted: false,
      };
    case 'request': {
      // The network call may already be made: the outcome, recorded later, tells.
      if (share.cancelRequested) return { share, accepted: true };
      const at = ctx.at.toISOString();
      const next: Share = {
        ...share,
        cancelRequested: true,
        version: share.version + 1,
        updatedAt: at,
      };
      next.history = [
        ...share.history,
        note(
          next,
          'cancel',
          share,
          ctx.by,
          at,
          'cancel requested while publishing: the post may still go out, and is not tried again if it does not',
        ),
      ];
      return { share: boundShare(next), accepted: true };
    }
    case 'refuse':
      throw new ConflictError(
        `A ${share.status} share cannot be cancelled: only draft, scheduled, queued and publishing shares can`,
      );
  }
}

function publishNow(share: Share, ctx: EditorContext): Share {
  requirePublished(ctx.article, 'be published');
  const now = ctx.at.toISOString();
  if (ctx.article.shareAt && new Date(ctx.article.shareAt).getTime() > ctx.at.getTime()) {
    throw new ConflictError(`The article is embargoed until ${ctx.article.shareAt}`);
  }
  const reason = 'an editor asked to publish it now';
  switch (share.status) {
    case 'draft':
      // Publishing a draft now is approving it for now: one step for the editor.
      return approve(share, ctx, `approved: ${reason}`, now);
    case 'scheduled':
    case 'queued': {
      // A due scheduled share: the dispatcher's next look sends it at once.
      if (share.status === 'scheduled' && share.dueAt <= now) return share;
      if (share.dueAt <= now) {
        // Past due and still queued: its message is late or lost (a send that failed
        // after the write, a queue that restarted). Back to scheduled, so the direct path
        // sends it again at once; a message still on its way then finds the share claimed
        // or with another version, and the claim (one worker wins) keeps it to one post.
        return applyEvent(share, 'requeue', {
          at: ctx.at,
          by: ctx.by,
          reason: `${reason}: it was due at ${share.dueAt} and its message is sent again`,
        });
      }
      const edited = stampEdited(share.edited, { dueAt: now });
      if (share.status === 'queued') {
        return withEdited(
          applyEvent(share, 'reschedule', {
            at: ctx.at,
            by: ctx.by,
            reason,
            patch: { dueAt: now },
          }),
          edited,
        );
      }
      const next = withEdited(
        { ...share, dueAt: now, version: share.version + 1, updatedAt: now },
        edited,
      );
      return boundShare({
        ...next,
        history: [
          ...share.history,
          note(next, 'edit', share, ctx.by, now, `${reason}: dueAt ${share.dueAt} -> ${now}`),
        ],
      });
    }
    default:
      throw new ConflictError(
        share.status === 'failed'
          ? 'A failed share cannot be published now: retry it'
          : `A ${share.status} share cannot be published now`,
      );
  }
}

function retry(share: Share, ctx: EditorContext): Share {
  // Now, or when the embargo lifts.
  const embargo = ctx.article.shareAt ? new Date(ctx.article.shareAt).getTime() : 0;
  const dueAt = new Date(Math.max(embargo, ctx.at.getTime())).toISOString();
  if (share.status === 'failed') {
    requirePublished(ctx.article, 'be retried');
    // The same idempotency and record keys: a failed share was refused, never posted, so
    // they are free, and keeping them costs nothing if a network did keep something.
    return applyEvent(share, 'retry', {
      at: ctx.at,
      by: ctx.by,
      reason: `an editor retried it after: ${share.lastError ?? 'a failure'}`,
      patch: { attempt: 0, dueAt, lastError: undefined, preparedId: undefined },
    });
  }
  if (share.status === 'unknown') {
    if (share.leaseUntil) {
      throw new ConflictError(
        'Crier is still looking for this post on the network: retry once it is parked for an editor',
      );
    }
    if (ctx.role !== 'admin') {
      throw new ForbiddenError(
        'Only an admin may confirm that a post whose outcome is unknown is not on the network',
      );
    }
    requirePublished(ctx.article, 'be retried');
    // The editor has looked and the post is not there: posted again with the same keys,
    // so a network that did keep it (Mastodon's Idempotency-Key, Bluesky's record key)
    // answers with that post instead of a second one.
    return applyEvent(share, 'reconcile-absent', {
      at: ctx.at,
      by: ctx.by,
      reason: 'an editor confirmed the post is not on the network',
      patch: { attempt: 0, dueAt, lastError: undefined },
    });
  }
  throw new ConflictError(
    `A ${share.status} share cannot be retried: only failed shares, and unknown ones parked for an editor, can`,
  );
}
