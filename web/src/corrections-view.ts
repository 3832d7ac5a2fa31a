/**
 * What the desk says of a published post's corrections, DOM-free: one line per
 * revision that corrected it (edited, replied under, told, refused, ignored), and the
 * revisions still on their way.
 */
import type { Share } from './schemas';

export type CorrectionLine = {
  revision: number;
  at: string;
  outcome: string;
  /** what was done, in words */
  text: string;
  /** the note replied under the post */
  note?: string;
  /** the text the post was edited to (the preview shows it too) */
  edited?: string;
  /** why it is not what the channel asked, or what an editor must do */
  reason?: string;
};

const WHY: Record<string, string> = { correction: 'a correction', headline: 'a new headline' };

function doneText(action: string, outcome: string, network: string): string {
  if (outcome === 'refused') {
    return action === 'edit'
      ? `${network} refused the edit: edit the post by hand`
      : `${network} refused the note: reply under the post by hand`;
  }
  if (outcome === 'ignored') return 'nothing done: the channel ignores it';
  if (outcome === 'notified') return 'the editors were told';
  return action === 'edit'
    ? `the post on ${network} was edited`
    : `a note was replied under the post on ${network}`;
}

/** The share's corrections, newest first. */
export function correctionLines(
  share: Pick<Share, 'corrections'>,
  network: string,
): CorrectionLine[] {
  return [...share.corrections].reverse().map((c) => ({
    revision: c.revision,
    at: c.at,
    outcome: c.outcome,
    text: `Revision ${c.revision}, ${WHY[c.trigger] ?? c.trigger}: ${doneText(c.action, c.outcome, network)}`,
    ...(c.note ? (c.action === 'edit' ? { edited: c.note } : { note: c.note }) : {}),
    ...(c.reason ? { reason: c.reason } : {}),
  }));
}

/** The line for corrections still on their way, or nothing. */
export function pendingLine(share: Pick<Share, 'correctionsDue'>): string | undefined {
  const due = share.correctionsDue;
  if (!due.length) return undefined;
  return `Correction of revision ${due.join(', ')} on its way.`;
}
