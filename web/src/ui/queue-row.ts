/**
 * One article in the queue: its headline, site, section and arrival, a chip per channel
 * with the share's status, and, unfolded, its shares one by one; each can be selected
 * for a bulk action, or all of the article's at once.
 */
import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import { SHARE_STATUSES } from '../../../shared/domain/share-state';
import { articleHref } from '../router';
import { postLink } from '../sandbox-links';
import type { ArticleSummary, Channel, ShareSummary } from '../schemas';
import { shareKey } from '../schemas';
import { formatDateTime } from '../time';
import {
  channelLabel,
  DueTime,
  NETWORK_NAMES,
  NetworkTag,
  platformOrder,
  STATUS_LABELS,
  StatusBadge,
} from './common';

/** The name of a share in the selection: its article and its key. */
export const selectionKey = (articleId: string, share: ShareSummary) =>
  `${articleId}\n${shareKey(share)}`;

/** A draft whose time has passed: the API says so; an older API is read the same way. */
export const isOverdue = (share: ShareSummary, now = Date.now()) =>
  share.overdue ?? (share.status === 'draft' && Date.parse(share.dueAt) < now);

const needsLook = (share: ShareSummary) => share.status === 'failed' || share.status === 'unknown';

/** Short network names for the chips, where the full name is long. */
const SHORT: Partial<Record<ShareSummary['platform'], string>> = {
  x: 'X',
  bluesky: 'Bsky',
  mastodon: 'Masto',
  threads: 'Thr',
  linkedin: 'Li',
  facebook: 'FB',
  instagram: 'IG',
  telegram: 'TG',
};

function Chip({ share, channels }: { share: ShareSummary; channels: Channel[] }) {
  const overdue = isOverdue(share);
  const said = `${NETWORK_NAMES[share.platform]} ${channelLabel(channels, share.channelId)}: ${STATUS_LABELS[share.status]}${overdue ? ', overdue' : ''}`;
  return html`<li
    class=${`chip chip-${share.status}${overdue ? ' chip-overdue' : ''}`}
    title=${said}
    data-channel=${share.channelId}
    data-status=${share.status}
  >
    <span class=${`chip-net net-${share.platform}`} aria-hidden="true">${SHORT[share.platform] ?? share.platform}</span>
    <span class="chip-dot" aria-hidden="true"></span>
    <span class="visually-hidden">${said}</span>
  </li>`;
}

/** What the chips' colours mean, once above the list. */
export function ChipLegend() {
  return html`<ul class="chip-legend" aria-hidden="true">
    ${SHARE_STATUSES.map(
      (status) =>
        html`<li class=${`chip chip-${status}`}><span class="chip-dot"></span>${STATUS_LABELS[status]}</li>`,
    )}
    <li class="chip chip-draft chip-overdue"><span class="chip-dot"></span>Overdue draft</li>
  </ul>`;
}

/** A checkbox that can show "some of them" (indeterminate), which HTML cannot say in markup. */
function MixedCheckbox({
  checked,
  mixed,
  label,
  disabled,
  onChange,
}: {
  disabled: boolean;
  checked: boolean;
  mixed: boolean;
  label: string;
  onChange: (checked: boolean) => void;
}) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = mixed;
  }, [mixed]);
  return html`<input
    ref=${ref}
    type="checkbox"
    class="select"
    checked=${checked}
    disabled=${disabled}
    aria-label=${label}
    aria-checked=${mixed ? 'mixed' : checked ? 'true' : 'false'}
    onChange=${(e: Event) => onChange((e.currentTarget as HTMLInputElement).checked)}
  />`;
}

export function QueueRow({
  article,
  siteName,
  channels,
  expanded,
  onToggle,
  selected,
  onSelect,
}: {
  article: ArticleSummary;
  /** the site's name, shown when the queue lists more than one site */
  siteName: string | undefined;
  channels: Channel[];
  expanded: boolean;
  onToggle: () => void;
  selected: ReadonlySet<string>;
  onSelect: (keys: string[], on: boolean) => void;
}) {
  const shares = [...article.shares].sort(
    (a, b) =>
      platformOrder(a.platform) - platformOrder(b.platform) ||
      a.channelId.localeCompare(b.channelId),
  );
  const keys = shares.map((s) => selectionKey(article.id, s));
  const chosen = keys.filter((k) => selected.has(k)).length;
  const overdue = shares.filter((s) => isOverdue(s)).length;
  const troubled = shares.filter(needsLook).length;
  const panelId = `shares-${article.id}`;
  const rowClass = [
    'queue-row',
    overdue > 0 ? 'row-overdue' : '',
    troubled > 0 ? 'row-trouble' : '',
    chosen > 0 ? 'row-selected' : '',
  ]
    .filter(Boolean)
    .join(' ');

  return html`<li class=${rowClass} data-article=${article.id}>
    <div class="row-main">
      <${MixedCheckbox}
        disabled=${shares.length === 0}
        checked=${shares.length > 0 && chosen === shares.length}
        mixed=${chosen > 0 && chosen < shares.length}
        label=${`Select the ${shares.length} shares of “${article.title}”`}
        onChange=${(on: boolean) => onSelect(keys, on)}
      />
      <div class="row-text">
        <a class="row-title" href=${articleHref(article.id)}>${article.title}</a>
        <p class="row-meta">
          ${siteName && html`<span class="row-site">${siteName}</span>`}
          ${article.section && html`<span class="row-section">${article.section}</span>`}
          ${
            article.receivedAt &&
            html`<span class="row-received">Received <time datetime=${article.receivedAt}>${formatDateTime(article.receivedAt)}</time></span>`
          }
        </p>
        ${
          (overdue > 0 || troubled > 0) &&
          html`<p class="row-flags">
            ${overdue > 0 && html`<span class="flag flag-overdue">${overdue} overdue ${overdue === 1 ? 'draft' : 'drafts'}</span>`}
            ${troubled > 0 && html`<span class="flag flag-trouble">${troubled} failed or to check</span>`}
          </p>`
        }
      </div>
      <ul class="chips" aria-label="Its posts, network by network">
        ${shares.map((share) => html`<${Chip} key=${shareKey(share)} share=${share} channels=${channels} />`)}
      </ul>
      ${
        shares.length === 0
          ? html`<span class="row-none note">No shares</span>`
          : html`<button
        type="button"
        class="row-toggle"
        aria-expanded=${expanded ? 'true' : 'false'}
        aria-controls=${panelId}
        onClick=${onToggle}
      >
        ${expanded ? 'Hide' : 'Show'} shares (${shares.length})<span class="visually-hidden"> of “${article.title}”</span>
      </button>`
      }
    </div>
    ${
      expanded &&
      shares.length > 0 &&
      html`<ul class="row-shares" id=${panelId}>
        ${shares.map((share) => {
          const key = selectionKey(article.id, share);
          const label = channelLabel(channels, share.channelId);
          return html`<li
            key=${key}
            class=${`row-share${isOverdue(share) ? ' share-overdue' : ''}${needsLook(share) ? ' share-trouble' : ''}`}
            data-channel=${share.channelId}
          >
            <input
              type="checkbox"
              class="select"
              checked=${selected.has(key)}
              aria-label=${`Select the ${NETWORK_NAMES[share.platform]} share on ${label}`}
              onChange=${(e: Event) => onSelect([key], (e.currentTarget as HTMLInputElement).checked)}
            />
            <span class="share-channel"><${NetworkTag} platform=${share.platform} /> ${label}</span>
            <span class="share-due"><${DueTime} iso=${share.dueAt} channelId=${share.channelId} /></span>
            <span class="share-status">
              <${StatusBadge} status=${share.status} />
              ${isOverdue(share) && html` <span class="flag flag-overdue">Overdue</span>`}
            </span>
            <span class="share-link">
              ${
                postLink(share) &&
                html`<a href=${postLink(share)} target="_blank" rel="noopener noreferrer"
                  >View<span class="visually-hidden"> the post on ${NETWORK_NAMES[share.platform]} (opens in a new tab)</span></a
                >`
              }
            </span>
          </li>`;
        })}
      </ul>`
    }
  </li>`;
}
