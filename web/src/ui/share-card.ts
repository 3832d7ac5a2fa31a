/**
 * One share in the article view: its preview, status and time, its warnings (link card,
 * image), the editor (text with the network's live count, and the time), the actions the state
 * machine allows, and the history.
 */
import { html } from 'htm/preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { cancelOutcome, isEditable, isFinal } from '../../../shared/domain/share-state';
import { ApiError, type ShareAction } from '../api';
import { countFor, unitLabel } from '../count';
import { postLink, postsGoToSandbox } from '../sandbox-links';
import {
  type Article,
  type ArticleChannelsAnswer,
  type HistoryEntry,
  type Share,
  shareKey,
} from '../schemas';
import { threadMaxOf } from '../thread-parts';
import { formatDateTime, fromDateTimeLocal, localZone, toDateTimeLocal } from '../time';
import {
  AppContext,
  accountHandle,
  DueTime,
  dueText,
  ErrorNotice,
  inputValue,
  NETWORK_NAMES,
  STATUS_LABELS,
  StatusBadge,
} from './common';
import { ImagePicker } from './image-picker';
import { Preview } from './previews';
import { ShareCorrections } from './share-corrections';
import { ShareMetrics } from './share-metrics';
import { refusedFields, ThreadEditor, ThreadPreview } from './thread-editor';

const ACTION_LABELS: Record<ShareAction, string> = {
  approve: 'Approve',
  'publish-now': 'Publish now',
  cancel: 'Cancel share',
  retry: 'Retry',
};

/** Actions that cannot be undone ask once more before they go. */
function confirmation(action: ShareAction, share: Share): string | undefined {
  if (action === 'publish-now') return 'Publish this post now, before its time?';
  if (action === 'cancel') return 'Cancel this post? A cancelled share is never published.';
  if (action === 'retry' && share.status === 'unknown') {
    return 'Post it again? Do this only after checking on the network that it did not go out.';
  }
  return undefined;
}

/** What the state machine lets an editor do now (the API has the last word: a 409). */
function availableActions(share: Share): ShareAction[] {
  const actions: ShareAction[] = [];
  if (share.status === 'draft') actions.push('approve');
  if (isEditable(share.status)) actions.push('publish-now');
  // A parked `unknown` share is retried by an admin who checked the network.
  if (share.status === 'failed' || share.status === 'unknown') actions.push('retry');
  if (cancelOutcome(share.status) !== 'refuse' && !share.cancelRequested) actions.push('cancel');
  return actions;
}

/** Which of the share's fields an editor set by hand. */
function editedNote(share: Share): string | undefined {
  const { text, dueAt } = share.edited ?? {};
  if (share.edited?.thread)
    return dueAt ? 'thread and time set by an editor' : 'thread edited by an editor';
  if (text && dueAt) return 'text and time set by an editor';
  if (text) return 'text edited by an editor';
  if (dueAt) return 'time set by an editor';
  return undefined;
}

function HistoryItem({ entry }: { entry: HistoryEntry }) {
  return html`<li>
    <time datetime=${entry.at}>${formatDateTime(entry.at)}</time>
    <span class="history-event">${entry.event}</span>
    ${entry.from ? `${entry.from} → ${entry.to}` : entry.to}
    <span class="history-by">by ${entry.by}</span>
    ${entry.reason && html`<span class="history-reason">${entry.reason}</span>`}
  </li>`;
}

/**
 * Newest first. The server keeps the first entry and the latest ones; where it let some go
 * in between, a line says how many, so the list never reads as the whole story.
 */
function HistoryList({ entries, dropped }: { entries: HistoryEntry[]; dropped: number }) {
  const [first, ...rest] = entries;
  if (!first || dropped === 0) {
    return html`<ol class="history-list">
      ${[...entries].reverse().map((entry) => html`<${HistoryItem} entry=${entry} />`)}
    </ol>`;
  }
  return html`<ol class="history-list">
    ${[...rest].reverse().map((entry) => html`<${HistoryItem} entry=${entry} />`)}
    <li class="history-dropped">
      ${dropped.toLocaleString()} earlier ${dropped === 1 ? 'entry was' : 'entries were'} not kept
    </li>
    <${HistoryItem} entry=${first} />
  </ol>`;
}

/** What became of a published thread's posts once its article was withdrawn. */
function withdrawalNote(share: Share, network: string): string | undefined {
  const replies = share.threadIds.length;
  const gone = Math.min(share.threadWithdrawn, replies);
  const thread =
    replies > 0
      ? ` ${gone} of the thread's ${replies} ${replies === 1 ? 'reply was' : 'replies were'} deleted.`
      : '';
  const { withdrawal } = share;
  if (!withdrawal) {
    // Replies are deleted first, from the last: a count without an outcome is under way.
    return gone > 0
      ? `Withdrawing from ${network}:${thread} The rest follow on the next try.`
      : undefined;
  }
  const when = formatDateTime(withdrawal.at);
  if (withdrawal.outcome === 'refused') {
    return `${network} refused the withdrawal (${when}): ${withdrawal.reason ?? 'no reason given'}. Remove the post by hand.${thread}`;
  }
  return withdrawal.action === 'delete'
    ? `Withdrawn: the post was deleted from ${network} (${when}).${thread}`
    : `Withdrawn: the post on ${network} now carries the withdrawal notice (${when}).${thread}`;
}

export function ShareCard({
  article,
  share,
  account,
  onShare,
  onConflict,
  onChannels,
}: {
  article: Article;
  share: Share;
  account: string;
  /** the share as the API answered after a change */
  onShare: (share: Share) => void;
  /** the share moved on meanwhile: reload the article */
  onConflict: () => void;
  /** the article's shares after its channel was dropped from it */
  onChannels?: (answer: ArticleChannelsAnswer) => void;
}) {
  const app = useContext(AppContext);
  const id = shareKey(share);
  const [text, setText] = useState(share.text);
  const [parts, setParts] = useState(share.thread ?? []);
  const [due, setDue] = useState(toDateTimeLocal(share.dueAt));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  // A notice holds while the share stays in the status it speaks of.
  const [notice, setNotice] = useState<{ text: string; status: string }>();
  const [confirming, setConfirming] = useState<ShareAction | 'drop'>();
  const confirmButton = useRef<HTMLButtonElement>(null);
  const statusLine = useRef<HTMLParagraphElement>(null);

  const textChanged = text !== share.text;
  const threadChanged = JSON.stringify(parts) !== JSON.stringify(share.thread ?? []);
  const dueChanged = due !== toDateTimeLocal(share.dueAt);
  const dirty = textChanged || threadChanged || dueChanged;

  // A newer version from the API replaces the fields the editor has not touched, and all
  // of them once the share can no longer be edited.
  useEffect(() => {
    const locked = !isEditable(share.status);
    if (locked || !textChanged) setText(share.text);
    if (locked || !threadChanged) setParts(share.thread ?? []);
    if (locked || !dueChanged) setDue(toDateTimeLocal(share.dueAt));
  }, [share.version, share.text, share.thread?.join('\u0000'), share.dueAt, share.status]);

  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
  }, [confirming]);

  if (!app) return null;
  const { api } = app;
  const editable = isEditable(share.status);
  const count = countFor(share.platform, text, share.length?.limit);
  const threadMax = threadMaxOf(app.channels.find((c) => c.id === share.channelId));
  const network = NETWORK_NAMES[share.platform];
  const publishedAt =
    share.status === 'published'
      ? share.history.findLast((entry) => entry.to === 'published')?.at
      : undefined;

  const run = async (work: () => Promise<{ text: string; status: string }>) => {
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      setNotice(await work());
    } catch (caught) {
      setError(caught);
      if (caught instanceof ApiError && caught.status === 409) onConflict();
    } finally {
      setBusy(false);
      // The button pressed may be gone (a confirmation, a share no longer editable):
      // the keyboard goes on from this share's outcome rather than the page's top.
      requestAnimationFrame(() => {
        if (!document.activeElement || document.activeElement === document.body) {
          statusLine.current?.focus();
        }
      });
    }
  };

  const restoreComposed = () =>
    run(async () => {
      const updated = await api.editShare(article.id, id, { text: null, thread: null });
      setText(updated.text);
      setParts(updated.thread ?? []);
      onShare(updated);
      return { text: 'The text is composed from the article again.', status: updated.status };
    });

  const save = (event: Event) => {
    event.preventDefault();
    if (!dirty || busy) return;
    const change: { text?: string; thread?: string[]; dueAt?: string } = {};
    if (textChanged) change.text = text;
    // The first post and its replies go together: the API checks them as one thread.
    if (threadChanged || (textChanged && parts.length > 0)) {
      change.text = text;
      change.thread = parts;
    }
    if (dueChanged) {
      const dueAt = fromDateTimeLocal(due);
      if (!dueAt) {
        setError(new Error('Choose a date and a time for the post.'));
        return;
      }
      change.dueAt = dueAt;
    }
    run(async () => {
      const updated = await api.editShare(article.id, id, change);
      setText(updated.text);
      setParts(updated.thread ?? []);
      setDue(toDateTimeLocal(updated.dueAt));
      onShare(updated);
      const text = change.dueAt ? `Saved. Due ${dueText(app.channels, updated)}.` : 'Saved.';
      return { text, status: updated.status };
    });
  };

  const act = (action: ShareAction) => {
    setConfirming(undefined);
    run(async () => {
      const { share: updated, accepted } = await api.act(article.id, id, action);
      onShare(updated);
      const text = accepted
        ? 'Cancel requested: the post was already being sent. Its history will tell whether it went out.'
        : `${ACTION_LABELS[action]}: the share is now ${STATUS_LABELS[updated.status].toLowerCase()}.`;
      return { text, status: updated.status };
    });
  };

  /** Drops this channel from the article: its share is cancelled, and no CMS update brings it back. */
  const drop = () => {
    setConfirming(undefined);
    run(async () => {
      const answer = await api.changeChannels(article.id, { drop: [share.channelId] });
      const dropped = answer.shares.find((s) => shareKey(s) === id);
      onChannels?.(answer);
      return {
        text: `Dropped from ${accountHandle(share.platform, account)}: its post will not go out.`,
        status: dropped?.status ?? 'cancelled',
      };
    });
  };

  const actions = availableActions(share);
  // The first share of a channel that has not started posting; a re-share is cancelled instead.
  const droppable = Boolean(onChannels) && !share.round && isEditable(share.status);
  const confirmText =
    confirming === 'drop'
      ? article.source === 'desk'
        ? `Drop this post from ${network} ${accountHandle(share.platform, account)}? Its share there is cancelled.`
        : `Drop this article from ${network} ${accountHandle(share.platform, account)}? Its post is cancelled, and later updates from the CMS will not bring it back.`
      : confirming
        ? confirmation(confirming, share)
        : undefined;

  return html`<article
    class=${`share share-${share.status}`}
    aria-labelledby=${`share-${id}`}
    data-channel=${share.channelId}
    data-key=${id}
  >
    <header class="share-head">
      <h2 id=${`share-${id}`}>
        <span class=${`net net-${share.platform}`}>${network}</span>
        <span class="share-account">${accountHandle(share.platform, account)}</span>
      </h2>
      <${StatusBadge} status=${share.status} />
    </header>
    <p class="share-due">
      ${publishedAt ? 'Published' : isFinal(share.status) ? 'Was due' : 'Due'}${' '}
      <${DueTime} iso=${publishedAt ?? share.dueAt} channelId=${share.channelId} />
      ${share.round ? html` · round ${share.round}` : ''}
      ${editedNote(share) && html` · <span class="edited">${editedNote(share)}</span>`}
    </p>

    <${Preview} share=${share} article=${article} text=${text} account=${account} />
    <${ThreadPreview} platform=${share.platform} account=${account} parts=${parts} />

    ${
      postLink(share) &&
      html`<p class="live-link">
        <a href=${postLink(share)} target="_blank" rel="noopener noreferrer"
          >View the post on ${network}${postsGoToSandbox() ? ' (sandbox)' : ''}<span class="visually-hidden"> (opens in a new tab)</span></a
        >
      </p>`
    }
    <${ShareMetrics} articleId=${article.id} share=${share} />
    ${withdrawalNote(share, network) && html`<p class="notice withdrawal-note">${withdrawalNote(share, network)}</p>`}
    <${ShareCorrections} share=${share} network=${network} />
    ${share.cancelRequested && html`<p class="notice">A cancel was requested while the post was being sent.</p>`}
    ${
      share.waitingForReconnect &&
      html`<p class="notice notice-warning waiting-reconnect">
        Waiting for a reconnect of ${network} ${accountHandle(share.platform, account)}: an admin must set the channel's credentials again.
      </p>`
    }
    ${share.lastError && html`<p class="notice notice-warning"><strong>Last error:</strong> ${share.lastError}</p>`}
    ${
      share.warnings.length > 0 &&
      html`<section class="warnings" aria-labelledby=${`warnings-${id}`}>
        <h3 id=${`warnings-${id}`}>Warnings</h3>
        <ul>
          ${share.warnings.map((w) => html`<li>${w}</li>`)}
        </ul>
      </section>`
    }

    ${
      editable
        ? html`<form class="editor" onSubmit=${save} aria-label=${`Edit the ${network} post`}>
            <label for=${`text-${id}`}>${parts.length > 0 ? `Post 1/${parts.length + 1}` : 'Post text'}</label>
            <textarea
              id=${`text-${id}`}
              rows="6"
              value=${text}
              aria-describedby=${`count-${id}`}
              aria-invalid=${count.fits ? 'false' : 'true'}
              onInput=${(e: Event) => setText(inputValue(e))}
            ></textarea>
            <p id=${`count-${id}`} class=${count.fits ? 'count' : 'count count-over'}>
              <strong>${count.used.toLocaleString()}</strong>${` / ${count.limit.toLocaleString()} ${unitLabel(count.unit)}`}${count.problem ? ` — ${count.problem}` : ''}
            </p>
            <${ThreadEditor}
              id=${id}
              platform=${share.platform}
              limit=${share.length?.limit}
              text=${text}
              parts=${parts}
              max=${threadMax}
              errors=${refusedFields(error)}
              onChange=${(next: { text: string; parts: string[] }) => {
                setText(next.text);
                setParts(next.parts);
              }}
            />
            <label for=${`due-${id}`}>Due, in your time (${localZone()})</label>
            <input
              id=${`due-${id}`}
              type="datetime-local"
              value=${due}
              onInput=${(e: Event) => setDue(inputValue(e))}
            />
            <div class="buttons">
              <button type="submit" class="primary" aria-disabled=${String(!dirty || busy)}>
                Save changes
              </button>
              <button
                type="button"
                aria-disabled=${String(!dirty || busy)}
                onClick=${() => {
                  if (!dirty || busy) return;
                  setText(share.text);
                  setParts(share.thread ?? []);
                  setDue(toDateTimeLocal(share.dueAt));
                }}
              >
                Undo changes
              </button>
              ${
                (share.edited?.text || share.edited?.thread) &&
                html`<button
                  type="button"
                  aria-disabled=${String(busy)}
                  onClick=${() => busy || restoreComposed()}
                >
                  Use the composed text
                </button>`
              }
            </div>
          </form>`
        : !isFinal(share.status) &&
          html`<p class="locked">The text and time can change only before publishing starts.</p>`
    }

    ${editable && html`<${ImagePicker} article=${article} share=${share} onShare=${onShare} onConflict=${onConflict} />`}

    ${
      (actions.length > 0 || droppable) &&
      html`<div class="buttons actions" role="group" aria-label=${`Actions on the ${network} share`}>
        ${actions.map(
          (action) => html`<button
            type="button"
            class=${action === 'cancel' ? 'danger' : ''}
            aria-disabled=${String(busy)}
            onClick=${() => {
              if (busy) return;
              if (confirmation(action, share)) setConfirming(action);
              else act(action);
            }}
          >
            ${ACTION_LABELS[action]}
          </button>`,
        )}
        ${
          droppable &&
          html`<button
            type="button"
            class="danger"
            aria-disabled=${String(busy)}
            onClick=${() => busy || setConfirming('drop')}
          >
            Drop from this channel
          </button>`
        }
      </div>`
    }
    ${
      confirming &&
      confirmText &&
      html`<div class="confirm" role="group" aria-label="Confirm">
        <p>${confirmText}</p>
        <div class="buttons">
          <button
            type="button"
            ref=${confirmButton}
            class=${confirming === 'cancel' || confirming === 'drop' ? 'danger' : 'primary'}
            onClick=${() => (confirming === 'drop' ? drop() : act(confirming))}
          >
            Yes, ${confirming === 'drop' ? 'drop it' : ACTION_LABELS[confirming].toLowerCase()}
          </button>
          <button type="button" onClick=${() => setConfirming(undefined)}>No, keep it</button>
        </div>
      </div>`
    }
    <p class="status-line" role="status" tabindex="-1" ref=${statusLine}>
      ${busy ? 'Working…' : notice?.status === share.status ? notice.text : ''}
    </p>
    ${error !== undefined && html`<${ErrorNotice} error=${error} />`}

    <details class="history">
      <summary>History (${(share.history.length + share.historyDropped).toLocaleString()})</summary>
      <${HistoryList} entries=${share.history} dropped=${share.historyDropped} />
    </details>
  </article>`;
}
