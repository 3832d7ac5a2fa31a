/**
 * The checks on one channel that its schema cannot make alone: what its network allows.
 * The channels file (shared/config/channels.ts) and the channel directory
 * (shared/store/channel-directory.ts) both run them, so a channel is valid one way.
 */
import type { Channel } from './channel';
import { THREAD_PLATFORMS } from './platform';
import { WITHDRAW_SUPPORT } from './withdrawal';

/** The problems of a channel that passed `channelSchema`, each prefixed with `at` (its path). */
export function channelProblems(channel: Channel, at: string): string[] {
  const problems: string[] = [];
  if (channel.thread.enabled && !THREAD_PLATFORMS.includes(channel.platform)) {
    // Composed, but never posted as replies there: the first part alone would go out.
    problems.push(
      `${at}.thread.enabled: ${channel.platform} takes no threads of posts (only ${THREAD_PLATFORMS.join(', ')}); leave it off`,
    );
  }
  problems.push(...withdrawProblems(channel, at));
  if (channel.platform === 'x' && channel.metrics?.enabled && !channel.metrics.monthlyReads) {
    // X bills every read: reading without a ceiling could cost any amount.
    problems.push(
      `${at}.metrics.monthlyReads: X charges for reads; set a monthly budget to turn readings on`,
    );
  }
  return problems;
}

/**
 * `onWithdraw` may only ask what the channel's network lets Crier do to a post it made
 * (docs/networks.md, "Edit and delete"), and an edit needs its text.
 */
function withdrawProblems(channel: Channel, at: string): string[] {
  const allowed = WITHDRAW_SUPPORT[channel.platform];
  const choices = ['keep', ...allowed].join(', ');
  const problems: string[] = [];
  if (channel.onWithdraw !== 'keep' && !allowed.includes(channel.onWithdraw)) {
    problems.push(
      `${at}.onWithdraw: ${channel.platform} does not let Crier ${channel.onWithdraw} a post; use one of ${choices}`,
    );
  }
  if (channel.onWithdraw === 'edit' && !channel.withdrawnText) {
    problems.push(`${at}.withdrawnText: onWithdraw "edit" needs the text to put in the post`);
  }
  if (channel.withdrawnText && !allowed.includes('edit')) {
    problems.push(
      `${at}.withdrawnText: ${channel.platform} does not let Crier edit a post; leave it out`,
    );
  } else if (channel.withdrawnText && channel.onWithdraw === 'keep') {
    problems.push(
      `${at}.withdrawnText: only used with onWithdraw "edit" or "delete"; leave it out`,
    );
  }
  return problems;
}
