/**
 * The publish worker's part of a correction: a published share with a correction waiting
 * (`correctionsDue`, queued by compose, plan-correction.ts) has its post edited, a note
 * replied under it, or the editors told, as the channel's policy resolves
 * (shared/domain/correction.ts), once per revision.
 *
 * Exactly once: a reply's note has a key of its own (the share's and the revision's);
 * the share records that the call began before it is made, and an attempt that finds it
 * begun asks the network (`notes.reconcile`) whether the note is there before posting.
 * An edit is safe to repeat (the same text again). What does not finish is thrown, so
 * SQS retries the message and, in the end, its dead-letter queue holds it; what the
 * network refuses is recorded `refused` and left to an editor, who is told.
 */
import { siteOf } from '../domain/article';
import type { Channel } from '../domain/channel';
import {
  type CorrectionRecord,
  correctionStep,
  noteKey,
  type PendingCorrection,
  resolveCorrection,
  withCorrection,
} from '../domain/correction';
import { ConflictError } from '../domain/errors';
import { notificationKeys } from '../domain/notification';
import type { ArticleRecord } from '../domain/ports';
import type { Share } from '../domain/share';
import { refOf } from '../domain/share-key';
import { isWithdrawn } from '../domain/withdrawal';
import type {
  ClientCall,
  NetworkClient,
  NoteCall,
  PublishOutcome,
  ReconcileOutcome,
} from '../platforms/client';
import { replyNoteText } from '../platforms/correction-text';
import { callSafely } from './client-call';
import type { PublishShareDeps } from './publish-share/types';

export type CorrectPostDeps = Pick<
  PublishShareDeps,
  | 'shares'
  | 'articles'
  | 'channelState'
  | 'credentials'
  | 'channels'
  | 'clientFor'
  | 'clock'
  | 'config'
  | 'publishQueue'
  | 'notifications'
  | 'sessions'
  | 'statusOf'
>;

export type CorrectPostResult =
  | { outcome: 'corrected'; share: Share; record: CorrectionRecord }
  | { outcome: 'skipped'; reason: string };

/** The correction did not finish (network down, rate limit, credentials): SQS tries again. */
export class CorrectionPendingError extends Error {
  override name = 'CorrectionPendingError';
}

const BY = 'publisher';
const MAX_TRIES = 5;
/** How long a correction on a paused channel waits before it is looked at again (SQS's longest delay). */
const PAUSED_RECHECK_SECONDS = 900;

type Done = Omit<CorrectionRecord, 'revision' | 'trigger' | 'at'>;

export async function correctPost(
  deps: CorrectPostDeps,
  claimed: Share,
): Promise<CorrectPostResult> {
  const pending = claimed.correctionsDue?.[0];
  if (!pending) return { outcome: 'skipped', reason: 'no correction waits' };
  const record = await deps.articles.get(claimed.articleId);
  if (!record || isWithdrawn(record.article.status) || claimed.withdrawal) {
    // A withdrawn article's post is deleted or kept as withdrawal says: never corrected.
    const share = await dropPending(deps, claimed, 'the article was withdrawn');
    return { outcome: 'skipped', reason: `corrections dropped (share version ${share.version})` };
  }
  const channel = deps.channels.find((c) => c.id === claimed.channelId);
  const client = await deps.clientFor(claimed.platform);
  const resolved = resolveCorrection(
    claimed.platform,
    channel?.corrections,
    pending.trigger,
    Boolean(client?.notes),
  );
  const finishWith = (done: Done) =>
    finish(deps, claimed, pending, record, {
      ...done,
      ...(resolved.fallback && !done.reason ? { reason: resolved.fallback } : {}),
    });

  if (resolved.action === 'ignore') {
    return finishWith({ action: 'ignore', outcome: 'ignored' });
  }
  if (resolved.action === 'notify' || !channel || !client) {
    return finishWith({
      action: 'notify',
      outcome: 'notified',
      ...(channel ? {} : { reason: `channel ${claimed.channelId} is gone: told the editors` }),
    });
  }
  if (deps.statusOf?.(channel.id) === 'paused') {
    // Nothing goes out on a paused channel, and nothing is lost: looked at again later.
    await deps.publishQueue.send(refOf(claimed), PAUSED_RECHECK_SECONDS);
    return { outcome: 'skipped', reason: 'channel paused: the correction waits' };
  }
  if (!claimed.remoteId) {
    return finishWith({
      action: resolved.action,
      outcome: 'refused',
      reason: `the share has no remote id: ${resolved.action} the post by hand`,
    });
  }
  const credentials = await deps.credentials.get(channel);
  if (credentials === undefined) {
    throw new CorrectionPendingError(`no credentials configured for channel ${channel.id}`);
  }
  const state = await deps.channelState.get(channel.id);
  const base: Omit<ClientCall, 'share'> = {
    account: channel.account,
    credentials,
    session: state.session,
    timeoutMs: deps.config.networkTimeoutMs,
    ...(deps.sessions ? { loginGate: deps.sessions.for(channel.id) } : {}),
  };
  const keep = async (session: string | undefined) => {
    if (session) await deps.channelState.saveSession(channel.id, session);
  };

  if (resolved.action === 'edit') {
    const outcome = await callSafely(
      () => client.withdraw({ ...base, share: claimed, action: 'edit', text: pending.text }),
      // An edit is safe to try again.
      (message) => ({ kind: 'retry', message }),
    );
    await keep(outcome.session);
    switch (outcome.kind) {
      case 'withdrawn':
        return finishWith({ action: 'edit', outcome: 'done', note: pending.text });
      case 'rejected':
        return finishWith({
          action: 'edit',
          outcome: 'refused',
          reason: `${claimed.platform} refused the edit, edit the post by hand: ${outcome.message}`,
        });
      case 'rate':
        await deps.channelState.rateLimitedUntil(channel.id, outcome.until);
        throw new CorrectionPendingError(`edit rate limited until ${outcome.until}`);
      case 'auth':
      case 'retry':
        throw new CorrectionPendingError(`edit not done (${outcome.kind}): ${outcome.message}`);
    }
  }
  return reply(deps, { claimed, pending, channel, client, base, keep, finishWith });
}

async function reply(
  deps: CorrectPostDeps,
  context: {
    claimed: Share;
    pending: PendingCorrection;
    channel: Channel;
    client: NetworkClient;
    base: Omit<ClientCall, 'share'>;
    keep: (session: string | undefined) => Promise<void>;
    finishWith: (done: Done) => Promise<CorrectPostResult>;
  },
): Promise<CorrectPostResult> {
  const { pending, channel, client, keep, finishWith } = context;
  const notes = client.notes;
  let share = context.claimed;
  if (!notes) throw new Error('reply resolved for a client without notes');
  const text = replyNoteText(channel, pending);
  const call = (): NoteCall => ({
    ...context.base,
    share,
    text,
    parentId: share.threadIds?.at(-1) ?? share.remoteId ?? '',
    key: noteKey(share.idempotencyKey, pending.revision),
  });

  if (pending.startedAt) {
    // An earlier attempt may have posted it: look before posting again.
    const found = await callSafely<ReconcileOutcome>(
      () => notes.reconcile(call()),
      (message) => ({ kind: 'unsure', reason: message }),
    );
    await keep(found.session);
    if (found.kind === 'found') {
      return finishWith({ action: 'reply', outcome: 'done', note: text, remoteId: found.remoteId });
    }
    if (found.kind === 'unsure') {
      if (found.never) {
        return finishWith({
          action: 'reply',
          outcome: 'refused',
          reason: `could not tell whether the note went out (${found.reason}): look under the post, and reply by hand if it is not there`,
        });
      }
      throw new CorrectionPendingError(`note not reconciled: ${found.reason}`);
    }
  } else {
    share = await markStarted(deps, share, pending);
  }

  const outcome = await callSafely<PublishOutcome>(
    () => notes.publish(call()),
    (message) => ({ kind: 'unknown', message }),
  );
  await keep(outcome.session);
  switch (outcome.kind) {
    case 'published':
      return finishWith({
        action: 'reply',
        outcome: 'done',
        note: text,
        remoteId: outcome.remoteId,
      });
    case 'rejected':
      return finishWith({
        action: 'reply',
        outcome: 'refused',
        reason: `${share.platform} refused the note, reply by hand: ${outcome.message}`,
      });
    case 'rate':
      await deps.channelState.rateLimitedUntil(channel.id, outcome.until);
      throw new CorrectionPendingError(`note rate limited until ${outcome.until}`);
    case 'unknown':
      // The next attempt reconciles before it posts (startedAt is recorded).
      throw new CorrectionPendingError(`note outcome unknown: ${outcome.message}`);
    case 'auth':
    case 'retry':
      throw new CorrectionPendingError(`note not posted (${outcome.kind}): ${outcome.message}`);
  }
}

/** Writes, before the note's call, that it began: a retry then reconciles first. */
async function markStarted(
  deps: CorrectPostDeps,
  share: Share,
  pending: PendingCorrection,
): Promise<Share> {
  const at = deps.clock.now().toISOString();
  return update(deps, share, (current) => {
    const due = current.correctionsDue ?? [];
    if (due[0]?.revision !== pending.revision) return undefined;
    if (due[0].startedAt) return current;
    return {
      ...current,
      correctionsDue: [{ ...due[0], startedAt: at }, ...due.slice(1)],
      version: current.version + 1,
      updatedAt: at,
    };
  });
}

const VERBS: Record<CorrectionRecord['action'], string> = {
  edit: 'edited the post',
  reply: 'replied under the post',
  notify: 'told the editors',
  ignore: 'nothing done (the channel ignores it)',
};

function historyReason(pending: PendingCorrection, done: CorrectionRecord): string {
  const why = pending.trigger === 'correction' ? 'a correction' : 'a new headline';
  const what =
    done.outcome === 'refused'
      ? `could not ${done.action === 'edit' ? 'edit the post' : 'reply'}`
      : VERBS[done.action];
  return `revision ${pending.revision}, ${why}: ${what}${done.reason ? ` (${done.reason})` : ''}`;
}

/**
 * The correction's record written once, its waiting entry removed; the editors told where
 * the policy says so or the network refused; the next waiting correction sent on.
 */
async function finish(
  deps: CorrectPostDeps,
  claimed: Share,
  pending: PendingCorrection,
  record: ArticleRecord,
  done: Done,
): Promise<CorrectPostResult> {
  const at = deps.clock.now().toISOString();
  const entry: CorrectionRecord = {
    revision: pending.revision,
    trigger: pending.trigger,
    at,
    ...done,
  };
  if (done.outcome === 'notified' || done.outcome === 'refused') {
    // Before the share's write: a crash between the two tells once more, under the same key.
    await deps.notifications?.record({
      key: notificationKeys.correction(claimed, pending.revision),
      siteId: siteOf(record.article),
      kind: 'post-correction',
      at,
      articleId: claimed.articleId,
      channelId: claimed.channelId,
      title: record.article.title.slice(0, 300),
      reason: (done.outcome === 'refused'
        ? (done.reason ?? 'the network refused the correction')
        : pending.note
          ? `${pending.note}${done.reason ? ` (${done.reason})` : ''}`
          : `new headline${done.reason ? ` (${done.reason})` : ''}`
      ).slice(0, 500),
    });
  }
  const share = await update(deps, claimed, (current) => {
    const due = current.correctionsDue ?? [];
    if (due[0]?.revision !== pending.revision) return undefined;
    const rest = due.slice(1);
    const next: Share = {
      ...current,
      corrections: withCorrection(current.corrections, entry),
      ...correctionStep(current, at, BY, historyReason(pending, entry)),
    };
    // The share shows what the post now says.
    if (entry.action === 'edit' && entry.outcome === 'done' && entry.note) next.text = entry.note;
    if (rest.length) next.correctionsDue = rest;
    else delete next.correctionsDue;
    return next;
  });
  if (share.correctionsDue?.length) await deps.publishQueue.send(refOf(share), 0);
  return { outcome: 'corrected', share, record: entry };
}

/** Every waiting correction removed, saying why in the history. */
async function dropPending(deps: CorrectPostDeps, claimed: Share, why: string): Promise<Share> {
  const at = deps.clock.now().toISOString();
  return update(deps, claimed, (current) => {
    const due = current.correctionsDue ?? [];
    if (!due.length) return current;
    const { correctionsDue: _dropped, ...rest } = current;
    return {
      ...rest,
      ...correctionStep(
        current,
        at,
        BY,
        `revision ${due.map((p) => p.revision).join(', ')}: not corrected, ${why}`,
      ),
    };
  });
}

/**
 * A conditional write of `change(current)`, re-read and tried again when another writer
 * moved the share first. `change` answers undefined when there is nothing left to do
 * (another worker finished it): the share is returned as it is.
 */
async function update(
  deps: CorrectPostDeps,
  share: Share,
  change: (current: Share) => Share | undefined,
): Promise<Share> {
  let current: Share | undefined = share;
  for (let tries = 0; current && tries < MAX_TRIES; tries += 1) {
    const next = change(current);
    if (!next || next === current) return current;
    if (await deps.shares.replace(current, next)) return next;
    current = await deps.shares.get(refOf(share));
  }
  if (!current) throw new ConflictError(`Share ${share.articleId}/${share.channelId} is gone`);
  throw new ConflictError(`Share ${share.articleId}/${share.channelId} kept changing`);
}
