/**
 * The publish worker's part of a withdrawal: a published share whose article the CMS
 * withdrew, on a channel that deletes or edits (`onWithdraw`), has its post deleted or
 * edited once, and the share records it (`withdrawal`, history note `withdraw-post`).
 * A thread's replies are deleted first, from the last to the first, each recorded
 * (`threadWithdrawn`) as it goes, so a retry resumes where the last attempt stopped; the
 * first post is deleted (or edited into the notice) last.
 * What does not finish is thrown, so SQS retries the message and, in the end, the
 * dead-letter queue holds it; a post already gone counts as done, so a repeat is harmless.
 */
import type { PublishingConfig } from '../config/publishing';
import type { Channel, Site } from '../domain/channel';
import { ConflictError } from '../domain/errors';
import type {
  ArticleRecord,
  ArticleStore,
  ChannelStateStore,
  Clock,
  CredentialsProvider,
  ShareStore,
} from '../domain/ports';
import type { Share } from '../domain/share';
import { refOf } from '../domain/share-key';
import { graphemes } from '../domain/text';
import {
  isWithdrawn,
  type PostWithdrawal,
  WITHDRAW_SUPPORT,
  type WithdrawAction,
} from '../domain/withdrawal';
import type { NetworkClient, WithdrawOutcome } from '../platforms/client';
import { renderTemplate } from '../platforms/compose/template';
import { callSafely } from './client-call';
import type { SessionGate } from './session-gate';

export type WithdrawPostDeps = {
  shares: ShareStore;
  articles: ArticleStore;
  channelState: ChannelStateStore;
  credentials: CredentialsProvider;
  channels: readonly Channel[];
  /** the network's client, which may be loaded on first use */
  clientFor: (
    platform: Share['platform'],
  ) => NetworkClient | undefined | Promise<NetworkClient | undefined>;
  clock: Clock;
  config: PublishingConfig;
  /** the newsroom, for `{site}` in `withdrawnText` */
  site?: Site;
  /** one password login at a time per channel (Bluesky) */
  sessions?: Pick<SessionGate, 'for'>;
};

export type WithdrawPostResult =
  | { outcome: 'withdrawn' | 'refused'; share: Share }
  | { outcome: 'skipped'; reason: string };

/** The delete or edit did not finish (network down, rate limit, credentials): SQS tries again. */
export class WithdrawPendingError extends Error {
  override name = 'WithdrawPendingError';
}

const BY = 'publisher';
const MAX_TRIES = 5;
/** A title longer than this is cut, so the notice fits every network that edits. */
const MAX_TITLE = 200;

export async function withdrawPost(
  deps: WithdrawPostDeps,
  claimed: Share,
): Promise<WithdrawPostResult> {
  let share = claimed;
  if (share.withdrawal) {
    return { outcome: 'skipped', reason: `the post was already ${share.withdrawal.outcome}` };
  }
  const record = await deps.articles.get(share.articleId);
  if (!record || !isWithdrawn(record.article.status)) {
    // A duplicate publish message for a share that went out: nothing to do.
    return { outcome: 'skipped', reason: 'share is published' };
  }
  const channel = deps.channels.find((c) => c.id === share.channelId);
  if (!channel || channel.onWithdraw === 'keep') {
    return { outcome: 'skipped', reason: 'the channel keeps published posts' };
  }
  const client = await deps.clientFor(share.platform);
  if (!client || !share.remoteId) {
    const reason = client ? 'the share has no remote id' : `no client for ${share.platform}`;
    return refuse(deps, share, channel.onWithdraw, reason);
  }
  const credentials = await deps.credentials.get(channel);
  if (credentials === undefined) {
    throw new WithdrawPendingError(`no credentials configured for channel ${channel.id}`);
  }
  const state = await deps.channelState.get(channel.id);
  let session = state.session;
  const text = channel.withdrawnText
    ? withdrawnText(channel.withdrawnText, record, share.url, deps.site)
    : undefined;
  const call = async (action: WithdrawAction, remoteId = share.remoteId) => {
    const answer = await callSafely<WithdrawOutcome>(
      () =>
        client.withdraw({
          share: { ...share, remoteId },
          account: channel.account,
          credentials,
          session,
          timeoutMs: deps.config.networkTimeoutMs,
          ...(deps.sessions ? { loginGate: deps.sessions.for(channel.id) } : {}),
          ...(action === 'edit' ? { action, text: text ?? '' } : { action }),
        }),
      // A delete or an edit is safe to try again.
      (message) => ({ kind: 'retry', message }),
    );
    if (answer.session) session = answer.session;
    return answer;
  };

  // The replies carry the rest of the withdrawn text: each is deleted, whatever
  // `onWithdraw` does to the first post (an edit leaves a notice there, not the thread).
  const replies = share.threadIds ?? [];
  for (let index = replies.length - 1 - (share.threadWithdrawn ?? 0); index >= 0; index -= 1) {
    const reply = await call('delete', replies[index]);
    if (reply.session) await deps.channelState.saveSession(channel.id, reply.session);
    const part = `part ${index + 2} of the thread`;
    switch (reply.kind) {
      case 'withdrawn':
        share = await recordReplyDeleted(deps, share, replies.length - index);
        if (share.withdrawal) {
          return { outcome: 'skipped', reason: `the post was already ${share.withdrawal.outcome}` };
        }
        break;
      case 'rejected':
        return refuse(deps, share, 'delete', `${part}: ${reply.message}`);
      case 'rate':
        await deps.channelState.rateLimitedUntil(channel.id, reply.until);
        throw new WithdrawPendingError(
          `delete of ${part} rate limited until ${reply.until}: ${reply.message}`,
        );
      case 'auth':
      case 'retry':
        throw new WithdrawPendingError(
          `delete of ${part} not done (${reply.kind}): ${reply.message}`,
        );
    }
  }

  let action: WithdrawAction = channel.onWithdraw;
  let outcome = await call(action);
  // A network that refuses the delete (Telegram, after 48 hours) may still take the edit.
  if (
    action === 'delete' &&
    outcome.kind === 'rejected' &&
    text &&
    WITHDRAW_SUPPORT[share.platform].includes('edit')
  ) {
    const edited = await call('edit');
    if (edited.kind !== 'rejected') {
      action = 'edit';
      outcome = { ...edited, session: edited.session ?? outcome.session };
    }
  }
  if (outcome.session) await deps.channelState.saveSession(channel.id, outcome.session);
  switch (outcome.kind) {
    case 'withdrawn': {
      const at = deps.clock.now().toISOString();
      const done: PostWithdrawal = {
        action,
        at,
        outcome: 'done',
        ...(action === 'edit' ? { text } : {}),
        ...(outcome.note ? { reason: outcome.note } : {}),
      };
      const verb = action === 'edit' ? 'edited' : 'deleted';
      const thread = replies.length
        ? ` (its ${replies.length} ${replies.length === 1 ? 'reply' : 'replies'} deleted)`
        : '';
      const reason = `${verb} on ${share.platform}${thread}: ${articleReason(record)}${outcome.note ? ` (${outcome.note})` : ''}`;
      return { outcome: 'withdrawn', share: await recordWithdrawal(deps, share, done, reason) };
    }
    case 'rejected':
      return refuse(deps, share, action, outcome.message);
    case 'rate':
      await deps.channelState.rateLimitedUntil(channel.id, outcome.until);
      throw new WithdrawPendingError(
        `${action} rate limited until ${outcome.until}: ${outcome.message}`,
      );
    case 'auth':
    case 'retry':
      throw new WithdrawPendingError(`${action} not done (${outcome.kind}): ${outcome.message}`);
  }
}

/** `withdrawnText` filled in: `{title}` (cut to fit), `{url}` (the share's link), `{site}`. */
export function withdrawnText(
  template: string,
  record: ArticleRecord,
  url: string,
  site: Site | undefined,
): string {
  const title = graphemes(record.article.title);
  return renderTemplate(template, {
    title: title.length > MAX_TITLE ? `${title.slice(0, MAX_TITLE - 1).join('')}…` : title.join(''),
    url,
    site: site?.name ?? '',
    summary: '',
    section: '',
    authors: '',
    handles: '',
    hashtags: '',
    imageCredit: '',
    author: '',
  });
}

const articleReason = (record: ArticleRecord) =>
  `the article was ${record.article.status} (revision ${record.article.revision})`;

/** The network will not do it: recorded, with the reason, for an editor to act by hand. */
async function refuse(
  deps: WithdrawPostDeps,
  share: Share,
  action: WithdrawAction,
  message: string,
): Promise<WithdrawPostResult> {
  const at = deps.clock.now().toISOString();
  const reason = `could not ${action} the post, ${action} it by hand: ${message}`;
  const refused: PostWithdrawal = { action, at, outcome: 'refused', reason };
  return { outcome: 'refused', share: await recordWithdrawal(deps, share, refused, reason) };
}

/**
 * How many of the thread's replies, counted from the last, are deleted: written after each
 * one, so a retry after a crash starts at the next. A share another worker moved on is
 * re-read and the larger count kept.
 */
async function recordReplyDeleted(
  deps: WithdrawPostDeps,
  share: Share,
  deleted: number,
): Promise<Share> {
  let current: Share | undefined = share;
  for (let tries = 0; current && tries < MAX_TRIES; tries += 1) {
    if (current.withdrawal || (current.threadWithdrawn ?? 0) >= deleted) return current;
    const next: Share = {
      ...current,
      threadWithdrawn: deleted,
      version: current.version + 1,
      updatedAt: deps.clock.now().toISOString(),
    };
    if (await deps.shares.replace(current, next)) return next;
    current = await deps.shares.get(refOf(share));
  }
  throw new ConflictError(`Share ${share.articleId}/${share.channelId} kept changing`);
}

/**
 * The result, recorded once: a conflicting write (another worker's record of the same
 * withdrawal) is re-read, and a share that already holds one is left as it is.
 */
async function recordWithdrawal(
  deps: WithdrawPostDeps,
  share: Share,
  withdrawal: PostWithdrawal,
  reason: string,
): Promise<Share> {
  let current: Share | undefined = share;
  for (let tries = 0; current && tries < MAX_TRIES; tries += 1) {
    if (current.withdrawal) return current;
    const next: Share = {
      ...current,
      withdrawal,
      ...(withdrawal.outcome === 'refused' ? { lastError: reason } : {}),
      version: current.version + 1,
      updatedAt: withdrawal.at,
      history: [
        ...current.history,
        {
          at: withdrawal.at,
          event: 'withdraw-post',
          from: current.status,
          to: current.status,
          by: BY,
          reason,
        },
      ],
    };
    if (await deps.shares.replace(current, next)) return next;
    current = await deps.shares.get(refOf(share));
  }
  throw new ConflictError(`Share ${share.articleId}/${share.channelId} kept changing`);
}
