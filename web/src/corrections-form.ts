/**
 * The channel form's corrections policy, DOM-free: the two choices as the selects hold
 * them ('' for the default), the policy they make, and what each choice does on the
 * channel's network, said in words (shared/domain/correction.ts decides).
 */
import {
  CORRECTION_CHOICES,
  type CorrectionChoice,
  type CorrectionTrigger,
  canEdit,
  defaultChoice,
} from '../../shared/domain/correction';
import { NETWORK_NAMES, type Platform } from '../../shared/domain/platform';

const isChoice = (value: unknown): value is CorrectionChoice =>
  CORRECTION_CHOICES.some((choice) => choice === value);

/** The form's two fields from a channel's `corrections` (absent or unreadable: the defaults). */
export function correctionsFormOf(policy: unknown): { onCorrection: string; onHeadline: string } {
  const read = (policy ?? {}) as { onCorrection?: unknown; onHeadline?: unknown };
  return {
    onCorrection: isChoice(read.onCorrection) ? read.onCorrection : '',
    onHeadline: isChoice(read.onHeadline) ? read.onHeadline : '',
  };
}

/** The policy the form's fields make; undefined when both take the default. */
export function correctionsOf(form: {
  onCorrection: string;
  onHeadline: string;
}): Record<string, string> | undefined {
  const policy: Record<string, string> = {};
  // Passed as typed: the directory's check names a choice it does not know.
  if (form.onCorrection) policy.onCorrection = form.onCorrection;
  if (form.onHeadline) policy.onHeadline = form.onHeadline;
  return Object.keys(policy).length > 0 ? policy : undefined;
}

const LABELS: Record<CorrectionChoice, string> = {
  edit: 'Edit the post',
  reply: 'Reply under the post with the note',
  notify: 'Only tell the editors',
  ignore: 'Do nothing',
};

/** The select's options: the default (named), then each choice. */
export function correctionOptions(
  platform: Platform,
  trigger: CorrectionTrigger,
): { value: string; label: string }[] {
  const fallback = defaultChoice(platform, trigger);
  return [
    { value: '', label: `Default: ${LABELS[fallback].toLowerCase()}` },
    ...CORRECTION_CHOICES.map((choice) => ({ value: choice, label: LABELS[choice] })),
  ];
}

/** What the chosen value does on the network, where it is not what it says. */
export function correctionNote(platform: Platform, value: string): string | undefined {
  if (value === 'edit' && !canEdit(platform)) {
    return `${NETWORK_NAMES[platform]} does not let Crier edit a post: Crier replies under it instead, or tells the editors where it cannot reply.`;
  }
  if (value === 'reply') {
    return 'Where Crier cannot reply on the network, it tells the editors instead.';
  }
  return undefined;
}
