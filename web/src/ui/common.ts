/** Pieces every view uses: network and status labels, times, and errors in plain words. */
import { html } from 'htm/preact';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Platform } from '../../../shared/domain/platform';
import { NETWORK_NAMES, PLATFORMS } from '../../../shared/domain/platform';
import type { ShareStatus } from '../../../shared/domain/share-state';
import { accountHandle } from '../account-handle';
import { type Api, ApiError } from '../api';
import type { Channel, Site } from '../schemas';
import { channelClock, formatDateTime, formatDateTimeWithZone, formatRelative } from '../time';

export type AppContextValue = {
  api: Api;
  /** the chosen site's channels (every site's, with all sites chosen) */
  channels: Channel[];
  /** the site the views show; undefined: every site the editor may see */
  siteId?: string;
  sites: Site[];
  /** chooses the site the views show, as the header's switcher does */
  chooseSite?: (siteId: string | undefined) => void;
  /** whether the editor may change channels (the API answers 403 otherwise) */
  isAdmin: boolean;
  reloadChannels: () => void;
  reloadSites: () => void;
};

export const AppContext = createContext<AppContextValue | undefined>(undefined);

export { NETWORK_NAMES };

export const STATUS_LABELS: Record<ShareStatus, string> = {
  draft: 'Draft',
  scheduled: 'Scheduled',
  queued: 'Queued',
  publishing: 'Publishing',
  published: 'Published',
  failed: 'Failed',
  cancelled: 'Cancelled',
  unknown: 'Needs checking',
};

/** Networks in the order the views list them. */
export const platformOrder = (platform: Platform) => PLATFORMS.indexOf(platform);

export function StatusBadge({ status }: { status: ShareStatus }) {
  return html`<span class=${`badge badge-${status}`}>${STATUS_LABELS[status]}</span>`;
}

export function NetworkTag({ platform }: { platform: Platform }) {
  return html`<span class=${`net net-${platform}`}>${NETWORK_NAMES[platform]}</span>`;
}

/**
 * A share's time in the editor's zone; given the share's channel, that channel's clock
 * beside it where it reads otherwise (`Tue 12 May, 09:30 · 15:30 Europe/Berlin`).
 */
export function DueTime({ iso, channelId }: { iso: string; channelId?: string }) {
  const app = useContext(AppContext);
  const theirs = channelClock(iso, channelZone(app?.channels ?? [], channelId));
  return html`<time datetime=${iso}>${formatDateTime(iso)}</time>${
    theirs && html`<span class="channel-clock"> · ${theirs}</span>`
  }${' '}<span class="relative"
      >(${formatRelative(iso)})</span
    >`;
}

/** A share's time as DueTime writes it, in plain text: `Tue 12 May, 09:30 · 15:30 Europe/Berlin`. */
export function dueText(channels: Channel[], share: { dueAt: string; channelId: string }): string {
  return formatDateTimeWithZone(share.dueAt, channelZone(channels, share.channelId));
}

/** The time zone a channel plans in (its weekday slots, quiet hours), if it is listed. */
export function channelZone(
  channels: Channel[],
  channelId: string | undefined,
): string | undefined {
  const channel = channels.find((c) => c.id === channelId);
  return channel ? (channel.timezone ?? 'UTC') : undefined;
}

export { accountHandle };

/** The channel's account as its network writes it, or its id when the API does not list channels. */
export function channelLabel(channels: Channel[], channelId: string): string {
  const channel = channels.find((c) => c.id === channelId);
  return channel ? accountHandle(channel.platform, channel.account) : channelId;
}

/** What went wrong, in words an editor can act on. */
export function describeError(error: unknown): { title: string; details: string[] } {
  if (error instanceof ApiError) {
    const { status, body } = error;
    const message = body.message ?? '';
    // A field's message that only repeats the answer's own is not said twice.
    const details = (body.fields ?? [])
      .filter((f) => !message.includes(f.message))
      .map((f) => `${f.field}: ${f.message}`);
    if (body.length) {
      details.unshift(
        `The network counts ${body.length.used.toLocaleString()} of at most ${body.length.limit.toLocaleString()} ${body.length.unit === 'weighted' ? 'weighted characters' : 'characters'}.`,
      );
    }
    if (status === 400)
      return { title: `Not saved: ${message || 'the change is invalid'}`, details };
    if (status === 409) {
      return {
        title: `Not possible now: ${message || 'the share has moved on'}`,
        details: ['The share was reloaded to show where it stands.', ...details],
      };
    }
    if (status === 401) return { title: 'Your sign-in has expired. Sign in again.', details };
    if (status === 403) {
      return {
        title: 'Your account may not do this: an admin can add you to the editor group.',
        details,
      };
    }
    if (status === 404) return { title: message || 'Not found', details };
    return { title: `The API answered ${status}${message ? `: ${message}` : ''}`, details };
  }
  if (error instanceof TypeError) {
    return { title: 'Crier cannot be reached. Check the connection and try again.', details: [] };
  }
  return { title: error instanceof Error ? error.message : String(error), details: [] };
}

export function ErrorNotice({ error }: { error: unknown }) {
  const { title, details } = describeError(error);
  return html`<div class="notice notice-error" role="alert">
    <p>${title}</p>
    ${details.length > 0 && html`<ul>${details.map((d) => html`<li>${d}</li>`)}</ul>`}
  </div>`;
}

/** The value of the input, text area or select an event came from. */
export function inputValue(event: Event): string {
  const target = event.currentTarget;
  return target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement
    ? target.value
    : '';
}
