/**
 * Where each site's editors are told of what needs them (admins only): a Slack incoming
 * webhook, e-mail addresses (subscribed to the deployment's topic, each confirming from
 * AWS's e-mail), a signed webhook, and how long a draft may wait before a reminder. The
 * saved URLs are secrets: the page shows only that they are set (the webhook's origin),
 * holds a typed one in memory until it is saved, and shows a new webhook's signing key
 * once, as the editors page shows a token.
 */
import { html } from 'htm/preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api';
import {
  checkNotificationForm,
  formOfView,
  MAX_EMAIL_ADDRESSES,
  type NotificationField,
  type NotificationForm,
  serverIssues,
} from '../notification-form';
import type { NotificationTestResult, Site, NotificationsView as TargetsView } from '../schemas';
import { AppContext, ErrorNotice, inputValue } from './common';

const TARGET_NAMES: Record<NotificationTestResult['target'], string> = {
  slack: 'Slack',
  email: 'E-mail',
  webhook: 'Webhook',
};

const STATE_LABELS = {
  pending: 'Waiting for confirmation',
  confirmed: 'Confirmed',
  unsubscribed: 'Unsubscribed',
} as const;

/** A site with no targets yet: nothing set, the reminder at its default. */
const UNSET: TargetsView = {
  slack: false,
  email: false,
  emailAddresses: [],
  webhook: { set: false },
  approvalReminderMinutes: 60,
};

function FieldErrors({ id, messages }: { id: string; messages?: string[] }) {
  if (!messages?.length) return null;
  return html`<ul class="field-errors" id=${id}>
    ${messages.map((m) => html`<li>${m}</li>`)}
  </ul>`;
}

/** The new webhook's signing key, in a box to copy: shown in this answer only. */
function NewKey({ secret, onDone }: { secret: string; onDone: () => void }) {
  const box = useRef<HTMLDivElement>(null);
  const field = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);
  useEffect(() => box.current?.focus(), []);
  const copy = async () => {
    field.current?.select();
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
    } catch {
      // No clipboard: the key is selected, to copy by hand.
      setCopied(false);
    }
  };
  return html`<div class="created-editor notice" role="region" aria-label="New webhook signing key" tabindex="-1" ref=${box}>
    <label for="webhook-key">The webhook's signing key</label>
    <div class="token-box">
      <input id="webhook-key" type="text" readonly spellcheck="false" autocomplete="off" value=${secret} ref=${field} />
      <button type="button" onClick=${copy}>${copied ? 'Copied' : 'Copy'}</button>
    </div>
    <p class="token-warning">
      Copy it now into the receiver that checks the deliveries' signatures (Standard
      Webhooks): you will not see it again. Setting a new URL keeps this key; removing the
      webhook and adding one makes a new key.
    </p>
    <button type="button" onClick=${onDone}>Done</button>
  </div>`;
}

function SiteNotifications({ site, onSaved }: { site: Site; onSaved: () => void }) {
  const app = useContext(AppContext);
  const [view, setView] = useState<TargetsView>(site.notifications ?? UNSET);
  const [form, setForm] = useState<NotificationForm>(() => formOfView(view));
  const [touched, setTouched] = useState<Set<NotificationField>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<Partial<Record<NotificationField, string[]>>>(
    {},
  );
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState('');
  // Held only while this page is open: never stored, logged or put in the address.
  const [newKey, setNewKey] = useState<string>();
  const [tests, setTests] = useState<NotificationTestResult[]>();
  const formRef = useRef<HTMLFormElement>(null);
  if (!app) return null;

  const check = checkNotificationForm(form, view);
  const changed = Object.keys(check.body).length > 0;
  const messagesOf = (field: NotificationField) => [
    ...(touched.has(field) || submitted ? (check.fields[field] ?? []) : []),
    ...(serverErrors[field] ?? []),
  ];
  const set = <K extends keyof NotificationForm>(
    key: K,
    value: NotificationForm[K],
    field: NotificationField,
  ) => {
    setForm((now) => ({ ...now, [key]: value }));
    setTouched((now) => new Set(now).add(field));
    setServerErrors((now) => ({ ...now, [field]: [] }));
    setStatus('');
  };
  const aria = (field: NotificationField, id: string) => {
    const invalid = messagesOf(field).length > 0;
    return {
      'aria-invalid': invalid ? 'true' : undefined,
      'aria-describedby': `${id}-hint${invalid ? ` ${id}-error` : ''}`,
    };
  };
  const prefix = `ntf-${site.id}`;

  const save = async (event: Event) => {
    event.preventDefault();
    setSubmitted(true);
    setError(undefined);
    if (Object.keys(check.fields).length > 0) {
      formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    if (!changed) {
      setStatus('Nothing to save.');
      return;
    }
    setBusy(true);
    try {
      const answer = await app.api.setSiteNotifications(site.id, check.body);
      setView(answer.notifications);
      // The typed URLs are dropped from memory once saved.
      setForm(formOfView(answer.notifications));
      setTouched(new Set());
      setSubmitted(false);
      setServerErrors({});
      if (answer.webhookSecret) setNewKey(answer.webhookSecret);
      setStatus(`Saved the notifications of ${site.name}.`);
      onSaved();
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 400) {
        setServerErrors(serverIssues(caught.body.fields ?? []));
      }
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const sendTest = async () => {
    setBusy(true);
    setError(undefined);
    setTests(undefined);
    try {
      setTests(await app.api.testSiteNotifications(site.id));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const anyTarget = view.slack || view.email || view.webhook.set;
  return html`<section class="site-notifications" aria-labelledby=${`${prefix}-title`} data-site=${site.id}>
    <h2 id=${`${prefix}-title`}>${site.name}</h2>
    ${newKey && html`<${NewKey} secret=${newKey} onDone=${() => setNewKey(undefined)} />`}
    <form class="notifications-form" ref=${formRef} aria-label=${`${site.name}: notifications`} onSubmit=${save} autocomplete="off">
      <div class="field" data-field="slackWebhookUrl">
        <label for=${`${prefix}-slack`}>Slack incoming webhook URL</label>
        <p class="hint" id=${`${prefix}-slack-hint`}>
          ${
            view.slack && !form.removeSlack
              ? 'A Slack webhook is set. Its URL is a secret and is not shown; type a new one to replace it.'
              : form.removeSlack
                ? 'The Slack webhook will be removed when you save.'
                : 'From a Slack app with Incoming Webhooks on: https://hooks.slack.com/services/…'
          }
        </p>
        <input
          id=${`${prefix}-slack`}
          type="password"
          autocomplete="off"
          spellcheck="false"
          placeholder=${view.slack ? '•••••••• (set)' : ''}
          value=${form.slackUrl}
          disabled=${form.removeSlack}
          ...${aria('slackWebhookUrl', `${prefix}-slack`)}
          onInput=${(e: Event) => set('slackUrl', inputValue(e), 'slackWebhookUrl')}
        />
        ${
          view.slack &&
          html`<label class="check"><input type="checkbox" checked=${form.removeSlack}
            onChange=${(e: Event) => set('removeSlack', (e.currentTarget as HTMLInputElement).checked, 'slackWebhookUrl')} />
            Remove the Slack webhook</label>`
        }
        <${FieldErrors} id=${`${prefix}-slack-error`} messages=${messagesOf('slackWebhookUrl')} />
      </div>

      <div class="field" data-field="emailAddresses">
        <label for=${`${prefix}-emails`}>E-mail addresses</label>
        <p class="hint" id=${`${prefix}-emails-hint`}>
          One a line, at most ${MAX_EMAIL_ADDRESSES}. Each new address gets an e-mail from AWS
          to confirm the subscription; an address taken off the list is unsubscribed.
        </p>
        <textarea
          id=${`${prefix}-emails`}
          rows="4"
          spellcheck="false"
          value=${form.emails}
          ...${aria('emailAddresses', `${prefix}-emails`)}
          onInput=${(e: Event) => set('emails', inputValue(e), 'emailAddresses')}
        ></textarea>
        <${FieldErrors} id=${`${prefix}-emails-error`} messages=${messagesOf('emailAddresses')} />
        ${
          view.emailAddresses.length > 0 &&
          html`<ul class="email-states" aria-label="Subscriptions">
            ${view.emailAddresses.map(
              (entry) => html`<li data-address=${entry.address}>
                ${entry.address} <span class=${`badge badge-email-${entry.state}`}>${STATE_LABELS[entry.state]}</span>
              </li>`,
            )}
          </ul>`
        }
      </div>

      <div class="field" data-field="webhook">
        <label for=${`${prefix}-webhook`}>Signed webhook URL</label>
        <p class="hint" id=${`${prefix}-webhook-hint`}>
          ${
            view.webhook.set && !form.removeWebhook
              ? `A webhook is set at ${view.webhook.origin ?? 'an address'}/… (its path is not shown); type a new URL to move it, keeping its key.`
              : form.removeWebhook
                ? 'The webhook will be removed when you save.'
                : 'Each digest is POSTed there, signed per Standard Webhooks; its key is shown once, when you save.'
          }
        </p>
        <input
          id=${`${prefix}-webhook`}
          type="password"
          autocomplete="off"
          spellcheck="false"
          placeholder=${view.webhook.set ? `${view.webhook.origin ?? ''}/•••• (set)` : ''}
          value=${form.webhookUrl}
          disabled=${form.removeWebhook}
          ...${aria('webhook', `${prefix}-webhook`)}
          onInput=${(e: Event) => set('webhookUrl', inputValue(e), 'webhook')}
        />
        ${
          view.webhook.set &&
          html`<label class="check"><input type="checkbox" checked=${form.removeWebhook}
            onChange=${(e: Event) => set('removeWebhook', (e.currentTarget as HTMLInputElement).checked, 'webhook')} />
            Remove the webhook</label>`
        }
        <${FieldErrors} id=${`${prefix}-webhook-error`} messages=${messagesOf('webhook')} />
      </div>

      <div class="field" data-field="approvalReminderMinutes">
        <label for=${`${prefix}-minutes`}>Remind of drafts waiting for approval after (minutes)</label>
        <p class="hint" id=${`${prefix}-minutes-hint`}>Each waiting draft is reminded of once; 5 to 10080.</p>
        <input
          id=${`${prefix}-minutes`}
          type="number"
          inputmode="numeric"
          min="5"
          max="10080"
          step="1"
          value=${form.minutes}
          ...${aria('approvalReminderMinutes', `${prefix}-minutes`)}
          onInput=${(e: Event) => set('minutes', inputValue(e), 'approvalReminderMinutes')}
        />
        <${FieldErrors} id=${`${prefix}-minutes-error`} messages=${messagesOf('approvalReminderMinutes')} />
      </div>

      <div class="buttons">
        <button type="submit" class="primary" disabled=${busy}>Save</button>
        <button type="button" disabled=${busy || !anyTarget || changed} onClick=${sendTest}
          title=${changed ? 'Save first: the test goes to the saved targets' : undefined}>
          Send a test notification
        </button>
      </div>
      <p class="status-line" role="status">${status}</p>
      ${error !== undefined && html`<${ErrorNotice} error=${error} />`}
      ${
        tests &&
        html`<ul class="test-results" aria-label="Test results">
          ${
            tests.length === 0
              ? html`<li>No target is set: nothing was sent.</li>`
              : tests.map(
                  (result) => html`<li data-target=${result.target}>
                    ${TARGET_NAMES[result.target]}: ${result.ok ? 'delivered' : `not delivered (${result.reason ?? 'refused'})`}
                  </li>`,
                )
          }
        </ul>`
      }
    </form>
  </section>`;
}

export function NotificationsView() {
  const app = useContext(AppContext);
  useEffect(() => {
    document.title = 'Notifications · Crier';
  }, []);
  if (!app) return null;
  const shown = app.sites.filter((site) => !app.siteId || site.id === app.siteId);
  return html`<section class="notifications-view">
    <h1 tabindex="-1">Notifications</h1>
    <p class="note">
      Where each site's editors are told, in one digest every few minutes, of failed or
      parked shares, channels to reconnect and drafts left waiting. No message carries a
      token or a key.
    </p>
    ${shown.map(
      (site) =>
        html`<${SiteNotifications} key=${site.id} site=${site} onSaved=${app.reloadSites} />`,
    )}
  </section>`;
}
