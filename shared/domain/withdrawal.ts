/**
 * What happens to an article's posts when the CMS withdraws it (status `unpublished` or
 * `deleted`): pending shares are cancelled, and each channel's `onWithdraw` says whether
 * a post already out is kept, deleted or edited, within what its network allows.
 */
import type { ArticleStatus } from './article';
import type { Platform } from './platform';

export const WITHDRAW_CHOICES = ['keep', 'delete', 'edit'] as const;
export type WithdrawChoice = (typeof WITHDRAW_CHOICES)[number];
/** What the publisher asks a network to do with a post. */
export type WithdrawAction = Exclude<WithdrawChoice, 'keep'>;

/**
 * What each network's API lets Crier do to a post it made (docs/networks.md, "Edit and
 * delete"). X's edit is left out: which plans may use it is unconfirmed, and it makes a
 * new post id. Instagram's API can neither delete nor edit a caption: by hand only.
 */
export const WITHDRAW_SUPPORT: Record<Platform, readonly WithdrawAction[]> = {
  x: ['delete'],
  bluesky: ['delete'],
  mastodon: ['delete', 'edit'],
  threads: ['delete'],
  linkedin: ['delete', 'edit'],
  facebook: ['delete', 'edit'],
  instagram: [],
  telegram: ['delete', 'edit'],
};

/** Placeholders a `withdrawnText` template may use. */
export const WITHDRAWN_TEXT_FIELDS = ['title', 'url', 'site'] as const;

export function isWithdrawn(status: ArticleStatus): boolean {
  return status === 'unpublished' || status === 'deleted';
}

/**
 * What was done to a published post after its article was withdrawn: `done` (deleted,
 * or edited to `text`; a post already gone counts), or `refused` by the network, which
 * leaves it to an editor (the reason says what to do by hand).
 */
export type PostWithdrawal = {
  action: WithdrawAction;
  at: string;
  outcome: 'done' | 'refused';
  text?: string;
  reason?: string;
};
