/**
 * What happens to a post already out when its article is corrected: a later revision
 * that carries a correction note (`Article.correction`), or whose headline changed. Each
 * channel's `corrections` policy asks to edit the post, reply under it with the note,
 * only tell the editors, or ignore it; what the network cannot do falls back
 * (edit → reply → notify) and the share's history says so. Pure code.
 */
import * as z from 'zod';
import type { Article } from './article';
import type { Platform } from './platform';
import type { Share } from './share';
import { WITHDRAW_SUPPORT } from './withdrawal';

export const CORRECTION_CHOICES = ['edit', 'reply', 'notify', 'ignore'] as const;
export type CorrectionChoice = (typeof CORRECTION_CHOICES)[number];
/** What is done to a post: every choice but `ignore`. */
export type CorrectionAction = Exclude<CorrectionChoice, 'ignore'>;

/** Why a revision calls for a correction of a post already out. */
export type CorrectionTrigger = 'correction' | 'headline';

/** A channel's policy: absent fields take the defaults (defaultChoice). */
export const correctionPolicySchema = z
  .object({
    /** a revision with a correction note */
    onCorrection: z.enum(CORRECTION_CHOICES).optional(),
    /** a revision whose headline changed, without a note */
    onHeadline: z.enum(CORRECTION_CHOICES).optional(),
  })
  .strict();
export type CorrectionPolicy = z.output<typeof correctionPolicySchema>;

/**
 * The default choice: a correction edits the post where the network edits (Mastodon,
 * LinkedIn, Facebook, Telegram) and replies under it elsewhere; a headline change alone
 * only tells the editors, so a tweak for search engines never posts a reply.
 */
export function defaultChoice(platform: Platform, trigger: CorrectionTrigger): CorrectionChoice {
  if (trigger === 'headline') return 'notify';
  return canEdit(platform) ? 'edit' : 'reply';
}

export const canEdit = (platform: Platform): boolean => WITHDRAW_SUPPORT[platform].includes('edit');

export type ResolvedCorrection = {
  /** what the channel asked for (its policy, or the default) */
  asked: CorrectionChoice;
  /** what will be done */
  action: CorrectionAction | 'ignore';
  /** why the action is not the one asked, for the history */
  fallback?: string;
};

/**
 * What a correction does on a channel: its policy's choice for the trigger (or the
 * default), within what the network allows. `canReply`: the network's client posts notes
 * under a post. Edit falls back to reply, reply to notify.
 */
export function resolveCorrection(
  platform: Platform,
  policy: CorrectionPolicy | undefined,
  trigger: CorrectionTrigger,
  canReply: boolean,
): ResolvedCorrection {
  const asked =
    (trigger === 'correction' ? policy?.onCorrection : policy?.onHeadline) ??
    defaultChoice(platform, trigger);
  if (asked === 'ignore' || asked === 'notify') return { asked, action: asked };
  const reasons: string[] = [];
  if (asked === 'edit') {
    if (canEdit(platform)) return { asked, action: 'edit' };
    reasons.push(`${platform} does not let Crier edit a post`);
  }
  if (canReply) {
    return reasons.length
      ? { asked, action: 'reply', fallback: `${reasons.join('; ')}: replied instead` }
      : { asked, action: 'reply' };
  }
  reasons.push(`Crier cannot reply under a post on ${platform}`);
  return { asked, action: 'notify', fallback: `${reasons.join('; ')}: told the editors instead` };
}

/**
 * Why `article` calls for a correction of a post composed with headline `headline`
 * (undefined: not known, a share older than this field), or nothing. A revision with a
 * note is a correction whatever its headline; otherwise a new headline is one.
 */
export function correctionTrigger(
  article: Pick<Article, 'title' | 'correction'>,
  headline: string | undefined,
): CorrectionTrigger | undefined {
  if (article.correction) return 'correction';
  if (headline !== undefined && headline !== article.title) return 'headline';
  return undefined;
}

/** A correction waiting for the publish worker, keyed by its revision. */
export const pendingCorrectionSchema = z.object({
  revision: z.number().int().min(1),
  trigger: z.enum(['correction', 'headline']),
  /** the revision's note, or absent (a headline change) */
  note: z.string().optional(),
  /** the revision's headline */
  title: z.string(),
  /** what the post would be edited to: the post composed for the revision, with the note where it fits */
  text: z.string(),
  /** since when a call that may post a note was made: the next attempt looks before posting */
  startedAt: z.string().optional(),
  /** when compose queued it */
  at: z.string(),
});
export type PendingCorrection = z.output<typeof pendingCorrectionSchema>;

/** What was done for one revision's correction of a post. */
export const correctionRecordSchema = z.object({
  revision: z.number().int().min(1),
  trigger: z.enum(['correction', 'headline']),
  action: z.enum(['edit', 'reply', 'notify', 'ignore']),
  /**
   * done: edited or replied; refused: the network would not, an editor must act by hand;
   * notified: the editors were told; ignored: the policy asked for nothing
   */
  outcome: z.enum(['done', 'refused', 'notified', 'ignored']),
  at: z.string(),
  /** the note posted under the post, or the text the post was edited to */
  note: z.string().optional(),
  /** the reply's id on the network */
  remoteId: z.string().optional(),
  /** why the action is not the one asked, or why the network refused */
  reason: z.string().optional(),
});
export type CorrectionRecord = z.output<typeof correctionRecordSchema>;

/** A share keeps this many correction records, the most recent; its history keeps the rest. */
export const CORRECTIONS_LIMIT = 10;
/** Corrections waiting at once; a revision past these replaces the newest not yet begun. */
export const PENDING_LIMIT = 5;

/** The list with `record` added, the oldest let go past CORRECTIONS_LIMIT. */
export function withCorrection(
  list: readonly CorrectionRecord[] | undefined,
  record: CorrectionRecord,
): CorrectionRecord[] {
  return [...(list ?? []), record].slice(-CORRECTIONS_LIMIT);
}

/** Whether revision `revision` of the article was already corrected on, or is on its way. */
export function correctionKnown(
  share: {
    corrections?: readonly CorrectionRecord[];
    correctionsDue?: readonly PendingCorrection[];
  },
  revision: number,
): boolean {
  return (
    (share.corrections ?? []).some((c) => c.revision >= revision) ||
    (share.correctionsDue ?? []).some((c) => c.revision >= revision)
  );
}

/**
 * The waiting list with `next` added: a waiting correction not yet begun is replaced by a
 * newer one (its post gets the newest text and note, once); one begun stays, as its note
 * may be out already.
 */
export function withPending(
  due: readonly PendingCorrection[] | undefined,
  next: PendingCorrection,
): PendingCorrection[] {
  const begun = (due ?? []).filter((p) => p.startedAt !== undefined);
  const superseded = (due ?? []).filter((p) => p.startedAt === undefined);
  // The note of a replaced correction goes with the newer one, so none is lost.
  const notes = [...superseded.map((p) => p.note), next.note].filter((note): note is string =>
    Boolean(note),
  );
  const merged: PendingCorrection = {
    ...next,
    ...(notes.length ? { note: [...new Set(notes)].join(' ') } : {}),
    trigger: notes.length ? 'correction' : next.trigger,
  };
  return [...begun, merged].slice(-PENDING_LIMIT);
}

/**
 * What a write that records a step of a correction changes on the share: its version moved
 * on and a `correct` entry added to its history (the status stays as it is).
 */
export function correctionStep(
  share: Share,
  at: string,
  by: string,
  reason: string,
): Pick<Share, 'version' | 'updatedAt' | 'history'> {
  return {
    version: share.version + 1,
    updatedAt: at,
    history: [
      ...share.history,
      { at, event: 'correct', from: share.status, to: share.status, by, reason },
    ],
  };
}

/** The note's prefix on the networks, before the CMS's words. */
export const CORRECTION_PREFIX = 'Correction:';
export const HEADLINE_PREFIX = 'Updated headline:';

/** The note posted under a post: the CMS's correction, or the new headline. */
export function noteText(pending: Pick<PendingCorrection, 'trigger' | 'note' | 'title'>): string {
  return pending.trigger === 'correction' && pending.note
    ? `${CORRECTION_PREFIX} ${pending.note}`
    : `${HEADLINE_PREFIX} ${pending.title}`;
}

/** The correction's key on the network: the share's idempotency key and the revision. */
export const noteKey = (idempotencyKey: string, revision: number): string =>
  `${idempotencyKey}-r${revision}`;
