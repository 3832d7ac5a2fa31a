/**
 * The chosen site's channels: network, name, status, health and routing, and for admins
 * the switch that pauses and resumes each one, its edit form, its credentials, a check
 * with its network now, Connect (the network's consent page, for the OAuth networks) and
 * its archiving. Back from a consent, the address says how it went: a banner tells.
 */
import { html } from 'htm/preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { isOAuthPlatform } from '../../../shared/domain/oauth-connect';
import { NETWORK_NAMES } from '../../../shared/domain/platform';
import { routingSummary } from '../channel-form';
import { CREDENTIAL_FIELDS, credentialsBody } from '../credential-fields';
import { bestTimesHref, channelHref, parseRoute } from '../router';
import type { Channel, ChannelHealth } from '../schemas';
import {
  AppContext,
  accountHandle,
  ErrorNotice,
  inputValue,
  NetworkTag,
  platformOrder,
} from './common';

const STATUS_NAMES = { active: 'Active', paused: 'Paused', archived: 'Archived' } as const;

export function ChannelStatusBadge({ status }: { status: Channel['status'] }) {
  return html`<span class=${`badge channel-${status}`}>${STATUS_NAMES[status]}</span>`;
}

const HEALTH_NAMES = {
  ok: 'Connected',
  expiring: 'Expiring',
  failing: 'Failing',
  unconnected: 'Not connected',
} as const;

/** The last check of the channel's credentials, and the network's reason when not ok. */
export function ChannelHealthBadge({ health }: { health: ChannelHealth | null | undefined }) {
  if (!health) return html`<span class="badge health-unchecked">Not checked</span>`;
  return html`<span class="channel-health">
    <span class=${`badge health-${health.status}`}>${HEALTH_NAMES[health.status]}</span>
    ${health.reason && html`<span class="health-reason">${health.reason}</span>`}
  </span>`;
}

/**
 * The network's credential fields, secrets as password inputs: never filled in from
 * anything, and emptied once sent, whatever the answer.
 */
function CredentialsForm({
  channel,
  busy,
  onSubmit,
  onCancel,
}: {
  channel: Channel;
  busy: boolean;
  onSubmit: (body: Record<string, string>) => void;
  onCancel: () => void;
}) {
  const [values, setValues] = useState<Record<string, string>>({});
  const fields = CREDENTIAL_FIELDS[channel.platform];
  const formId = `credentials-${channel.id}`;
  return html`<form
    class="credentials-form"
    aria-label=${`Credentials of ${channelName(channel)}`}
    autocomplete="off"
    onSubmit=${(event: Event) => {
      event.preventDefault();
      const body = credentialsBody(channel.platform, values);
      setValues({});
      onSubmit(body);
    }}
  >
    <p class="note">
      Crier asks ${NETWORK_NAMES[channel.platform]} who these are before it stores them.
      They are never shown again.
    </p>
    ${fields.map(
      (field) => html`<label key=${field.name} for=${`${formId}-${field.name}`}>
        ${field.label}${field.optional ? ' (optional)' : ''}
        <input
          id=${`${formId}-${field.name}`}
          name=${field.name}
          type=${field.secret ? 'password' : 'text'}
          autocomplete=${field.secret ? 'new-password' : 'off'}
          placeholder=${field.hint ?? ''}
          required=${!field.optional}
          value=${values[field.name] ?? ''}
          onInput=${(event: Event) => setValues({ ...values, [field.name]: inputValue(event) })}
        />
      </label>`,
    )}
    <div class="buttons">
      <button type="submit" class="primary" disabled=${busy}>Save credentials</button>
      <button type="button" onClick=${onCancel}>Cancel</button>
    </div>
  </form>`;
}

export const channelName = (channel: Channel) =>
  channel.name || accountHandle(channel.platform, channel.account);

function ArchiveConfirmation({
  channel,
  onArchive,
  onKeep,
}: {
  channel: Channel;
  onArchive: () => void;
  onKeep: () => void;
}) {
  const keep = useRef<HTMLButtonElement>(null);
  useEffect(() => keep.current?.focus(), []);
  return html`<div class="confirm" role="group" aria-label=${`Archive ${channelName(channel)}?`}>
    <p>Archive ${channelName(channel)}?</p>
    <p class="confirm-detail">
      It takes no new articles from now on, and its shares not yet out (drafts, scheduled
      and queued) will be cancelled. Its published posts stay as they are.
    </p>
    <div class="buttons">
      <button type="button" class="danger" onClick=${onArchive}>Archive channel</button>
      <button type="button" ref=${keep} onClick=${onKeep}>Keep it</button>
    </div>
  </div>`;
}

/** The whole site's switch, for a breaking tragedy: nothing of the site goes out until resumed. */
function SitePause({
  site,
  isAdmin,
  busy,
  onSet,
}: {
  site: { id: string; name: string; status: string };
  isAdmin: boolean;
  busy: boolean;
  onSet: (paused: boolean) => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const paused = site.status === 'paused';
  return html`<div class=${`site-pause${paused ? ' site-paused' : ''}`} role="group" aria-label=${`${site.name}: posting`}>
    ${
      paused
        ? html`<p><strong>${site.name} is paused.</strong> Nothing of it goes out until it is resumed; its shares wait, scheduled.</p>`
        : html`<p>${site.name} is posting.</p>`
    }
    ${
      isAdmin &&
      (paused
        ? html`<button type="button" disabled=${busy} onClick=${() => onSet(false)}>Resume ${site.name}</button>`
        : confirming
          ? html`<div class="buttons">
              <span>Hold every post of ${site.name} until it is resumed?</span>
              <button type="button" class="danger" disabled=${busy} onClick=${() => {
                setConfirming(false);
                onSet(true);
              }}>Pause the whole site</button>
              <button type="button" onClick=${() => setConfirming(false)}>Keep posting</button>
            </div>`
          : html`<button type="button" class="danger" onClick=${() => setConfirming(true)}>Pause ${site.name}…</button>`)
    }
  </div>`;
}

/** What the callback put in the address (`?connected=<id>` or `?connectError=<reason>`). */
function connectOutcome(): { ok: boolean; text: string } | undefined {
  const { params } = parseRoute(location.hash);
  const connected = params.get('connected');
  if (connected) return { ok: true, text: `Channel ${connected} is connected.` };
  const failed = params.get('connectError');
  if (failed) {
    const channel = params.get('channel');
    return {
      ok: false,
      text: `${channel ? `Channel ${channel}` : 'The channel'} was not connected: ${failed}`,
    };
  }
  return undefined;
}

/** Mastodon's instance, asked before its consent page. */
function InstanceForm({
  channel,
  onConnect,
  onCancel,
}: {
  channel: Channel;
  onConnect: (instance: string) => void;
  onCancel: () => void;
}) {
  const [instance, setInstance] = useState('');
  const id = `instance-${channel.id}`;
  return html`<form
    class="credentials-form"
    onSubmit=${(event: Event) => {
      event.preventDefault();
      onConnect(instance.trim());
    }}
  >
    <label for=${id}>Mastodon instance</label>
    <input id=${id} required placeholder="mastodon.social" value=${instance} onInput=${(e: Event) => setInstance(inputValue(e))} />
    <button type="submit" class="primary">Continue to the consent page</button>
    <button type="button" onClick=${onCancel}>Cancel</button>
  </form>`;
}

export function ChannelsView() {
  const app = useContext(AppContext);
  const [connectBanner] = useState(connectOutcome);
  const [askingInstance, setAskingInstance] = useState<string>();
  const [busy, setBusy] = useState<string>();
  const [confirming, setConfirming] = useState<string>();
  const [editingCredentials, setEditingCredentials] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [said, setSaid] = useState('');
  useEffect(() => {
    document.title = 'Channels · Crier';
  }, []);
  if (!app) return null;
  const { api, isAdmin } = app;
  const site = app.sites.find((s) => s.id === app.siteId);
  const channels = [...app.channels].sort(
    (a, b) =>
      a.siteId.localeCompare(b.siteId) ||
      platformOrder(a.platform) - platformOrder(b.platform) ||
      a.id.localeCompare(b.id),
  );

  const run = async (channel: Channel, work: () => Promise<Channel>, done: string) => {
    setBusy(channel.id);
    setError(undefined);
    setSaid('');
    try {
      await work();
      setSaid(done);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(undefined);
      setConfirming(undefined);
      app.reloadChannels();
    }
  };

  const connect = async (
    channel: Channel,
    options: { instance?: string; via?: 'facebook' } = {},
  ) => {
    setBusy(channel.id);
    setError(undefined);
    setSaid('');
    try {
      location.assign(await api.connectChannel(channel.id, options));
    } catch (caught) {
      setError(caught);
      setBusy(undefined);
    }
  };

  const showSite = !app.siteId && app.sites.length > 1;
  const columns = 5 + (showSite ? 1 : 0) + (isAdmin ? 1 : 0);
  return html`<section class="channels-view">
    <h1 tabindex="-1">Channels</h1>
    <div class="view-head">
      <p class="note">
        ${site ? html`The channels of ${site.name}.` : 'The channels of every site you see.'}
        ${!isAdmin && ' Only an admin can add, change, pause or archive a channel.'}
      </p>
      ${isAdmin && html`<a class="button-link primary" href=${channelHref()}>New channel</a>`}
    </div>
    ${
      site &&
      html`<${SitePause}
        site=${site}
        isAdmin=${isAdmin}
        busy=${busy === `site:${site.id}`}
        onSet=${async (paused: boolean) => {
          setBusy(`site:${site.id}`);
          setError(undefined);
          setSaid('');
          try {
            await api.setSitePaused(site.id, paused);
            setSaid(
              `${site.name} is ${paused ? 'paused: its shares wait until it is resumed' : 'posting again'}.`,
            );
          } catch (caught) {
            setError(caught);
          } finally {
            setBusy(undefined);
            app.reloadSites();
            app.reloadChannels();
          }
        }}
      />`
    }
    ${
      connectBanner &&
      html`<p class=${connectBanner.ok ? 'notice notice-success' : 'notice notice-error'} role=${connectBanner.ok ? 'status' : 'alert'}>${connectBanner.text}</p>`
    }
    ${error !== undefined && html`<${ErrorNotice} error=${error} />`}
    <p class="status-line" role="status">${said}</p>
    <table class="shares-table channels-table">
      <caption class="visually-hidden">Channels</caption>
      <thead>
        <tr>
          <th scope="col">Channel</th>
          <th scope="col">Network</th>
          ${showSite && html`<th scope="col">Site</th>`}
          <th scope="col">Status</th>
          <th scope="col">Routing</th>
          <th scope="col">Time zone</th>
          ${isAdmin && html`<th scope="col">Actions</th>`}
        </tr>
      </thead>
      <tbody>
        ${
          channels.length === 0
            ? html`<tr><td colspan=${columns} class="empty">No channels yet.</td></tr>`
            : channels.map(
                (channel) => html`<tr key=${channel.id} data-channel=${channel.id}>
                  <th scope="row">
                    <span class="channel-title">${channelName(channel)}</span>
                    <span class="channel-id"><code>${channel.id}</code> · ${accountHandle(channel.platform, channel.account)}</span>
                    <a class="best-times-link" href=${bestTimesHref(channel.id)}>Best times<span class="visually-hidden"> of ${channelName(channel)}</span></a>
                  </th>
                  <td><${NetworkTag} platform=${channel.platform} /></td>
                  ${showSite && html`<td>${app.sites.find((s) => s.id === channel.siteId)?.name ?? channel.siteId}</td>`}
                  <td class="channel-status">
                    <${ChannelStatusBadge} status=${channel.status} />
                    <${ChannelHealthBadge} health=${channel.health} />
                  </td>
                  <td class="routing-summary">${routingSummary(channel.routing)}</td>
                  <td>${channel.timezone ?? 'UTC'}</td>
                  ${
                    isAdmin &&
                    html`<td><div class="channel-actions">
                      <label class="switch">
                        <input
                          type="checkbox"
                          role="switch"
                          checked=${channel.status === 'active'}
                          disabled=${busy === channel.id}
                          aria-label=${`Posting on ${channelName(channel)}`}
                          onChange=${() => {
                            const pause = channel.status === 'active';
                            run(
                              channel,
                              () => api.setChannelPaused(channel.id, pause),
                              `${channelName(channel)} is ${pause ? 'paused: its shares wait until it is resumed' : 'posting again'}.`,
                            );
                          }}
                        />
                        <span aria-hidden="true">${channel.status === 'active' ? 'Posting' : 'Paused'}</span>
                      </label>
                      <a href=${channelHref(channel.id)}>Edit<span class="visually-hidden"> ${channelName(channel)}</span></a>
                      <button
                        type="button"
                        disabled=${busy === channel.id}
                        onClick=${() =>
                          run(
                            channel,
                            async () => {
                              const health = await api.checkChannel(channel.id);
                              return { ...channel, health };
                            },
                            `${channelName(channel)} checked.`,
                          )}
                      >
                        Check now<span class="visually-hidden"> ${channelName(channel)}</span>
                      </button>
                      ${
                        isOAuthPlatform(channel.platform) &&
                        html`<button
                          type="button"
                          disabled=${busy === channel.id}
                          onClick=${() =>
                            channel.platform === 'mastodon'
                              ? setAskingInstance(
                                  askingInstance === channel.id ? undefined : channel.id,
                                )
                              : connect(channel)}
                        >
                          Connect<span class="visually-hidden"> ${channelName(channel)}</span>
                        </button>`
                      }
                      ${
                        // Instagram also connects through Facebook login, via a Page.
                        channel.platform === 'instagram' &&
                        html`<button
                          type="button"
                          disabled=${busy === channel.id}
                          onClick=${() => connect(channel, { via: 'facebook' })}
                        >
                          Connect with Facebook<span class="visually-hidden"> ${channelName(channel)}</span>
                        </button>`
                      }
                      <button
                        type="button"
                        aria-expanded=${editingCredentials === channel.id}
                        onClick=${() =>
                          setEditingCredentials(
                            editingCredentials === channel.id ? undefined : channel.id,
                          )}
                      >
                        Set credentials<span class="visually-hidden"> of ${channelName(channel)}</span>
                      </button>
                      <button
                        type="button"
                        class="danger"
                        disabled=${busy === channel.id}
                        onClick=${() => setConfirming(channel.id)}
                      >
                        Archive<span class="visually-hidden"> ${channelName(channel)}</span>
                      </button>
                      ${
                        editingCredentials === channel.id &&
                        html`<${CredentialsForm}
                          channel=${channel}
                          busy=${busy === channel.id}
                          onCancel=${() => setEditingCredentials(undefined)}
                          onSubmit=${(body: Record<string, string>) =>
                            run(
                              channel,
                              async () => {
                                await api.setChannelCredentials(channel.id, body);
                                setEditingCredentials(undefined);
                                return channel;
                              },
                              `The network accepted the credentials of ${channelName(channel)}; they are stored.`,
                            )}
                        />`
                      }
                      ${
                        askingInstance === channel.id &&
                        html`<${InstanceForm}
                          channel=${channel}
                          onCancel=${() => setAskingInstance(undefined)}
                          onConnect=${(instance: string) => connect(channel, { instance })}
                        />`
                      }
                      ${
                        confirming === channel.id &&
                        html`<${ArchiveConfirmation}
                          channel=${channel}
                          onKeep=${() => setConfirming(undefined)}
                          onArchive=${() =>
                            run(
                              channel,
                              () => api.archiveChannel(channel.id),
                              `${channelName(channel)} is archived; its pending shares are cancelled.`,
                            )}
                        />`
                      }
                    </div></td>`
                  }
                </tr>`,
              )
        }
      </tbody>
    </table>
  </section>`;
}
