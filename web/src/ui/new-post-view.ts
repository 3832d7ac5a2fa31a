/**
 * "New post": a post of the desk's own (POST /api/posts), written once for the chosen
 * channels of a site. Each channel shows its network's count of the text it would get
 * (the link placed as that network takes it), with the same code the server checks with;
 * a refusal is shown beside the field it names, and a created post opens its page.
 */
import { html } from 'htm/preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { LINK_PLACE } from '../../../shared/platforms/desk-text';
import { ApiError } from '../api';
import { unitLabel } from '../count';
import { deskCount } from '../desk-count';
import { articleHref } from '../router';
import type { Channel } from '../schemas';
import { fromDateTimeLocal, localZone } from '../time';
import { AppContext, accountHandle, ErrorNotice, inputValue, NETWORK_NAMES } from './common';

const DEFAULT_SITE = 'default';

type When = 'schedule' | 'now' | 'at';

function channelLabel(channel: Channel): string {
  return `${NETWORK_NAMES[channel.platform]} ${accountHandle(channel.platform, channel.account)}${channel.name ? ` (${channel.name})` : ''}`;
}

/** A 400's fields by form field, a channel's (`channels.<i>`) by the channel's id. */
function errorsOf(error: unknown, sent: readonly string[]) {
  const fields: Record<string, string> = {};
  const channels: Record<string, string> = {};
  if (!(error instanceof ApiError) || error.status !== 400) return { fields, channels };
  for (const { field, message } of error.body.fields ?? []) {
    const [name = field, index] = field.split('.');
    const channelId = name === 'channels' && index !== undefined ? sent[Number(index)] : undefined;
    if (channelId)
      channels[channelId] = channels[channelId] ? `${channels[channelId]}; ${message}` : message;
    else fields[name] = fields[name] ? `${fields[name]}; ${message}` : message;
  }
  return { fields, channels };
}

export function NewPostView() {
  const app = useContext(AppContext);
  const sites = app?.sites ?? [];
  const [site, setSite] = useState(app?.siteId ?? sites[0]?.id ?? DEFAULT_SITE);
  const [text, setText] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [link, setLink] = useState('');
  const [imageUrl, setImageUrl] = useState('');
  const [imageAlt, setImageAlt] = useState('');
  const [when, setWhen] = useState<When>('schedule');
  const [at, setAt] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [sent, setSent] = useState<string[]>([]);
  // One name per post this form makes: a request sent again after a lost answer (a
  // second click, a retry) names the same post, which the API answers instead of posting
  // twice.
  const [idempotencyKey] = useState(() => crypto.randomUUID());

  // The site switcher's choice is the post's site; else one of the editor's sites.
  useEffect(() => {
    if (app?.siteId) setSite(app.siteId);
    else if (sites.length && !sites.some((s) => s.id === site)) setSite(sites[0]?.id ?? site);
  }, [app?.siteId, sites.map((s) => s.id).join(' ')]);
  useEffect(() => {
    document.title = 'New post · Crier';
  }, []);

  if (!app) return null;
  const channels = app.channels.filter(
    (c) => (c.siteId ?? DEFAULT_SITE) === site && (c.status ?? 'active') !== 'archived',
  );
  const picked = chosen.filter((id) => channels.some((c) => c.id === id));
  const { fields, channels: channelErrors } = errorsOf(error, sent);
  const counts = new Map(channels.map((c) => [c.id, deskCount(c, text, link.trim())]));
  const over = picked.filter((id) => counts.get(id)?.fits === false);

  const toggle = (id: string, on: boolean) =>
    setChosen((current) => (on ? [...current, id] : current.filter((c) => c !== id)));

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    const dueAt =
      when === 'now' ? new Date().toISOString() : when === 'at' ? fromDateTimeLocal(at) : undefined;
    if (when === 'at' && !dueAt) {
      setError(
        new ApiError(400, {
          message: 'Choose a date and time',
          fields: [{ field: 'dueAt', message: 'choose a date and time' }],
        }),
      );
      return;
    }
    const body = {
      siteId: site,
      text,
      channels: picked,
      ...(link.trim() ? { link: link.trim() } : {}),
      ...(imageUrl.trim() ? { imageUrl: imageUrl.trim() } : {}),
      ...(imageAlt.trim() ? { imageAlt: imageAlt.trim() } : {}),
      ...(dueAt ? { dueAt } : {}),
      idempotencyKey,
    };
    setBusy(true);
    setError(undefined);
    setSent(picked);
    try {
      const { articleId } = await app.api.createPost(body);
      location.hash = articleHref(articleId);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const fieldError = (name: string) =>
    fields[name] &&
    html`<p id=${`error-${name}`} class="field-error" role="alert">${fields[name]}</p>`;

  return html`<section class="new-post">
    <h1 tabindex="-1">New post</h1>
    <p class="hint">
      A post of the desk's own, not an article's: written once, fitted to each channel, and
      scheduled, approved and published like any share.
    </p>
    <form class="new-post-form" onSubmit=${submit} aria-label="New post" novalidate>
      ${
        sites.length > 1 &&
        html`<div class="field">
          <label for="post-site">Site</label>
          <select id="post-site" value=${site} onChange=${(e: Event) => setSite(inputValue(e))}>
            ${sites.map((s) => html`<option value=${s.id}>${s.name}</option>`)}
          </select>
          ${fieldError('siteId')}
        </div>`
      }
      ${sites.length <= 1 && fieldError('siteId')}
      <div class="field">
        <label for="post-text">Text</label>
        <textarea
          id="post-text"
          rows="6"
          value=${text}
          aria-invalid=${fields.text || over.length ? 'true' : 'false'}
          onInput=${(e: Event) => setText(inputValue(e))}
        ></textarea>
        ${fieldError('text')}
      </div>
      <fieldset class="post-channels" aria-invalid=${fields.channels ? 'true' : 'false'}>
        <legend>Channels</legend>
        ${channels.length === 0 && html`<p class="empty">This site has no channels.</p>`}
        ${channels.map((channel) => {
          const count = counts.get(channel.id);
          const on = picked.includes(channel.id);
          const place = LINK_PLACE[channel.platform];
          return html`<div class="post-channel" key=${channel.id}>
            <label class="check">
              <input
                type="checkbox"
                name="channels"
                value=${channel.id}
                checked=${on}
                onChange=${(e: Event) => toggle(channel.id, (e.target as HTMLInputElement).checked)}
              />
              <span>${channelLabel(channel)}</span>
              ${count?.approval && html`<span class="badge">needs approval</span>`}
            </label>
            ${
              count &&
              html`<p class=${count.fits ? 'count' : 'count count-over'} data-channel=${channel.id}>
                <strong>${count.used.toLocaleString()}</strong>${` / ${count.limit.toLocaleString()} ${unitLabel(count.unit)}`}${count.problem ? ` — ${count.problem}` : ''}${link.trim() && place !== 'text' ? (place === 'attachment' ? ' · the link goes as the attachment' : ' · the link is left out') : ''}
              </p>`
            }
            ${channelErrors[channel.id] && html`<p class="field-error" role="alert" data-error-for=${channel.id}>${channelErrors[channel.id]}</p>`}
          </div>`;
        })}
        ${fieldError('channels')}
      </fieldset>
      <div class="field">
        <label for="post-link">Link <span class="hint">(optional)</span></label>
        <input id="post-link" type="url" inputmode="url" placeholder="https://" value=${link}
          aria-invalid=${fields.link ? 'true' : 'false'} onInput=${(e: Event) => setLink(inputValue(e))} />
        ${fieldError('link')}
      </div>
      <div class="field">
        <label for="post-image">Image URL <span class="hint">(optional, https)</span></label>
        <input id="post-image" type="url" inputmode="url" placeholder="https://" value=${imageUrl}
          aria-invalid=${fields.imageUrl ? 'true' : 'false'} onInput=${(e: Event) => setImageUrl(inputValue(e))} />
        ${fieldError('imageUrl')}
      </div>
      <div class="field">
        <label for="post-alt">Image alt text</label>
        <textarea id="post-alt" rows="2" value=${imageAlt}
          aria-invalid=${fields.imageAlt ? 'true' : 'false'} onInput=${(e: Event) => setImageAlt(inputValue(e))}></textarea>
        ${fieldError('imageAlt')}
      </div>
      <fieldset class="post-when">
        <legend>When</legend>
        <label class="check"><input type="radio" name="when" value="schedule" checked=${when === 'schedule'} onChange=${() => setWhen('schedule')} /> At each channel's schedule</label>
        <label class="check"><input type="radio" name="when" value="now" checked=${when === 'now'} onChange=${() => setWhen('now')} /> Now</label>
        <label class="check"><input type="radio" name="when" value="at" checked=${when === 'at'} onChange=${() => setWhen('at')} /> At a time I choose</label>
        ${
          when === 'at' &&
          html`<label for="post-at">Date and time, in your time (${localZone()})</label>
            <input id="post-at" type="datetime-local" value=${at} aria-invalid=${fields.dueAt ? 'true' : 'false'} onInput=${(e: Event) => setAt(inputValue(e))} />`
        }
        ${fieldError('dueAt')}
      </fieldset>
      <div class="buttons">
        <button type="submit" class="primary" aria-disabled=${String(busy || picked.length === 0)} disabled=${busy}>
          ${busy ? 'Posting…' : 'Create post'}
        </button>
      </div>
      ${error !== undefined && html`<${ErrorNotice} error=${error} />`}
    </form>
  </section>`;
}
