/**
 * A channel's form, new or edited (admins): each field checked as it is typed by the
 * directory's own check, the API's refusals shown beside the fields they name, and a
 * preview of which of the site's latest articles the routing being typed would take.
 */
import { html } from 'htm/preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { PLATFORMS, type Platform } from '../../../shared/domain/platform';
import { ApiError } from '../api';
import {
  type ChannelForm,
  type ChannelRecord,
  channelOf,
  checkForm,
  type FormField,
  formOf,
  issuesByField,
  patchOf,
  previewRouting,
} from '../channel-form';
import { articleHref, routeHref } from '../router';
import { AppContext, ErrorNotice, inputValue, NETWORK_NAMES } from './common';
import { CorrectionsFields } from './corrections-fields';
import { useAsync } from './hooks';

/** How many of the site's latest articles the routing preview weighs. */
const PREVIEW_ARTICLES = 20;

type Errors = Partial<Record<FormField, string[]>>;

/** What a field takes, said under its label. */
const HINTS: Partial<Record<FormField, string>> = {
  id: 'Lowercase letters, digits and dashes; it cannot change later',
  name: 'How editors know the channel (optional)',
  account: 'The handle or identifier on the network',
  template:
    "Placeholders: {title} {summary} {url} {section} {authors} {handles} {hashtags} {imageCredit} {site} {author}. Empty: the site's default template, where it has one",
  timezone: 'An IANA time zone such as Europe/Berlin',
  tags: 'At least one of these',
  languages: 'BCP 47 tags: en takes en-GB too',
  priorities: 'breaking, normal, evergreen',
  withinHours:
    'Normal shares wait up to this long for the hour its readers are most there; breaking news goes at once',
};

function FieldErrors({ id, messages }: { id: string; messages?: string[] }) {
  if (!messages?.length) return null;
  return html`<ul class="field-errors" id=${id}>
    ${messages.map((m) => html`<li>${m}</li>`)}
  </ul>`;
}

function RoutingPreview({ form }: { form: ChannelForm }) {
  const app = useContext(AppContext);
  const articles = useAsync(
    () =>
      app
        ? app.api.listArticles({ siteId: form.siteId, limit: PREVIEW_ARTICLES })
        : Promise.resolve({ articles: [], cursor: null }),
    [form.siteId],
  );
  const list = articles.data?.articles ?? [];
  const rows = previewRouting(form, list);
  const taken = rows?.filter((row) => !row.refusal).length ?? 0;
  return html`<section class="routing-preview" aria-labelledby="preview-title">
    <h2 id="preview-title">Routing preview</h2>
    ${articles.error !== undefined && html`<${ErrorNotice} error=${articles.error} />`}
    <p class="preview-summary" aria-live="polite">
      ${
        !articles.data
          ? 'Loading the latest articles…'
          : list.length === 0
            ? 'This site has no articles yet.'
            : rows
              ? `Takes ${taken} of the site's last ${list.length} articles.`
              : 'Fix the routing fields to see which articles it takes.'
      }
    </p>
    ${
      rows &&
      html`<ul class="preview-list">
        ${rows.map(
          (row) => html`<li
            key=${row.id}
            class=${row.refusal ? 'preview-left' : 'preview-taken'}
            data-article=${row.id}
          >
            <span class="preview-mark" aria-hidden="true">${row.refusal ? '✗' : '✓'}</span>
            <span>
              <a href=${articleHref(row.id)}>${row.title}</a>
              ${row.section && html` <span class="preview-section">${row.section}</span>`}
              <span class="preview-reason">${row.refusal ? `Left out: ${row.refusal}` : 'Taken'}</span>
            </span>
          </li>`,
        )}
      </ul>`
    }
  </section>`;
}

export function ChannelFormView({ channelId }: { channelId?: string }) {
  const app = useContext(AppContext);
  // An edit reads the channel afresh: its version is the one the form is opened at.
  const loaded = useAsync(
    () =>
      app && channelId
        ? app.api.listChannels().then((all) => all.find((c) => c.id === channelId) ?? null)
        : Promise.resolve(null),
    [channelId],
  );
  const original = (loaded.data ?? undefined) as ChannelRecord | undefined;
  const startSite = app?.siteId ?? app?.sites[0]?.id ?? 'default';
  const [form, setForm] = useState<ChannelForm>(() => formOf(startSite));
  const [touched, setTouched] = useState<Set<FormField>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<Errors>({});
  const [error, setError] = useState<unknown>();
  const [conflict, setConflict] = useState(false);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  useEffect(() => {
    document.title = `${channelId ? 'Edit channel' : 'New channel'} · Crier`;
  }, [channelId]);
  // The channel as read fills the form (again, after a reload).
  useEffect(() => {
    if (original) {
      setForm(formOf(startSite, original));
      setTouched(new Set());
      setServerErrors({});
    }
  }, [loaded.data]);

  if (!app) return null;
  const editing = channelId !== undefined;
  const title = editing ? `Edit channel ${channelId}` : 'New channel';
  if (!app.isAdmin) {
    return html`<section class="channel-form-view">
      <h1 tabindex="-1">${title}</h1>
      <p class="notice notice-warning">Only an admin can add or change a channel.</p>
      <p><a href=${routeHref('/channels')}>Back to the channels</a></p>
    </section>`;
  }
  if (editing && loaded.data === undefined && !loaded.error) {
    return html`<section class="channel-form-view"><h1 tabindex="-1">${title}</h1><p>Loading…</p></section>`;
  }
  if (editing && !original) {
    return html`<section class="channel-form-view">
      <h1 tabindex="-1">${title}</h1>
      ${loaded.error !== undefined ? html`<${ErrorNotice} error=${loaded.error} />` : html`<p class="notice notice-error" role="alert">No channel ${channelId}: it may have been archived.</p>`}
      <p><a href=${routeHref('/channels')}>Back to the channels</a></p>
    </section>`;
  }

  const check = checkForm(
    form,
    original,
    app.sites.find((site) => site.id === form.siteId)?.defaults,
  );
  // A schedule the form does not edit (weekday slots): kept unless another is chosen.
  const keptSchedule = original !== undefined && formOf(startSite, original).schedule === 'kept';
  const shown = (field: FormField): string[] => [
    ...(touched.has(field) || submitted ? (check.fields[field] ?? []) : []),
    ...(serverErrors[field] ?? []),
  ];
  const set = (field: FormField, value: string) => {
    setForm((previous) => ({ ...previous, [field]: value }));
    setTouched((previous) => new Set(previous).add(field));
    setServerErrors((previous) => ({ ...previous, [field]: undefined }));
  };

  /** An input's accessible wiring: its id, its errors' id, and whether it is invalid. */
  const wiring = (field: FormField) => {
    const invalid = shown(field).length > 0;
    const described = [
      HINTS[field] && `channel-${field}-hint`,
      invalid && `channel-${field}-errors`,
    ].filter(Boolean);
    return {
      id: `channel-${field}`,
      'aria-invalid': invalid ? 'true' : undefined,
      'aria-describedby': described.length > 0 ? described.join(' ') : undefined,
    };
  };
  const field = (name: FormField, label: string, input: unknown) => html`<div
    class="field"
    data-field=${name}
  >
    <label for=${`channel-${name}`}>${label}</label>
    ${HINTS[name] && html`<span class="hint" id=${`channel-${name}-hint`}>${HINTS[name]}</span>`}
    ${input}
    <${FieldErrors} id=${`channel-${name}-errors`} messages=${shown(name)} />
  </div>`;
  const text = (name: FormField, label: string, extra: object = {}) =>
    field(
      name,
      label,
      html`<input
        type="text"
        ...${wiring(name)}
        ...${extra}
        value=${form[name]}
        onInput=${(e: Event) => set(name, inputValue(e))}
      />`,
    );

  const submit = async (event: Event) => {
    event.preventDefault();
    setSubmitted(true);
    setError(undefined);
    setConflict(false);
    if (Object.keys(check.fields).length > 0 || check.other.length > 0) {
      requestAnimationFrame(() =>
        formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(),
      );
      return;
    }
    setBusy(true);
    try {
      if (original && channelId) {
        await app.api.patchChannel(channelId, patchOf(form, original));
      } else {
        await app.api.createChannel(channelOf(form));
      }
      app.reloadChannels();
      location.hash = routeHref('/channels');
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 409 && editing) {
        setConflict(true);
      } else if (caught instanceof ApiError && caught.status === 409) {
        // The id is taken, by a channel in the list or an archived one.
        setServerErrors({ id: ['a channel with this id exists already (perhaps archived)'] });
        requestAnimationFrame(() => document.getElementById('channel-id')?.focus());
      } else {
        if (caught instanceof ApiError && caught.status === 400) {
          setServerErrors(issuesByField(caught.body.fields ?? []).fields);
        }
        setError(caught);
      }
    } finally {
      setBusy(false);
    }
  };

  return html`<section class="channel-form-view">
    <p class="back"><a href=${routeHref('/channels')}>← The channels</a></p>
    <h1 tabindex="-1">${title}</h1>
    ${
      conflict &&
      html`<div class="notice notice-error" role="alert">
        <p>Not saved: this channel was changed by someone else since you opened it.</p>
        <p class="notice-detail">Reload it to see their changes, then make yours again.</p>
        <button type="button" onClick=${() => {
          setConflict(false);
          loaded.reload();
        }}>Reload the channel</button>
      </div>`
    }
    ${error !== undefined && html`<${ErrorNotice} error=${error} />`}
    <div class="channel-form-layout">
      <form class="channel-form" ref=${formRef} onSubmit=${submit} novalidate>
        <fieldset>
          <legend>The account</legend>
          ${text('id', 'ID', {
            disabled: editing,
            autocomplete: 'off',
            spellcheck: false,
          })}
          ${field(
            'platform',
            'Network',
            html`<select
              ...${wiring('platform')}
              value=${form.platform}
              disabled=${editing}
              onChange=${(e: Event) => set('platform', inputValue(e) as Platform)}
            >
              ${PLATFORMS.map((p) => html`<option value=${p}>${NETWORK_NAMES[p]}</option>`)}
            </select>`,
          )}
          ${text('name', 'Name')}
          ${text('account', 'Account')}
          ${field(
            'siteId',
            'Site',
            html`<select
              ...${wiring('siteId')}
              value=${form.siteId}
              disabled=${editing}
              onChange=${(e: Event) => set('siteId', inputValue(e))}
            >
              ${app.sites.map((s) => html`<option value=${s.id}>${s.name}</option>`)}
            </select>`,
          )}
        </fieldset>
        <fieldset>
          <legend>Posts</legend>
          ${field(
            'template',
            'Template',
            html`<textarea
              ...${wiring('template')}
              rows="3"
              value=${form.template}
              onInput=${(e: Event) => set('template', inputValue(e))}
            ></textarea>`,
          )}
          ${field(
            'schedule',
            'Schedule',
            html`<select
              ...${wiring('schedule')}
              value=${form.schedule}
              onChange=${(e: Event) => set('schedule', inputValue(e))}
            >
              <option value="asap">As soon as the article is in</option>
              <option value="delay">A delay after the article is in</option>
              <option value="best">The best time learned, within a window</option>
              ${keptSchedule && html`<option value="kept">Its own schedule (kept as it is)</option>`}
            </select>`,
          )}
          ${
            form.schedule === 'delay' &&
            text('delayMinutes', 'Delay in minutes', { inputmode: 'numeric' })
          }
          ${
            form.schedule === 'best' &&
            text('withinHours', 'Window in hours', { inputmode: 'numeric' })
          }
          ${text('timezone', 'Time zone')}
          ${field(
            'approval',
            'Approval',
            html`<select
              ...${wiring('approval')}
              value=${form.approval}
              onChange=${(e: Event) => set('approval', inputValue(e))}
            >
              <option value="none">None: shares go out on their own</option>
              <option value="required">Required: shares wait as drafts</option>
            </select>`,
          )}
        </fieldset>
        <${CorrectionsFields}
          platform=${form.platform}
          values=${{ onCorrection: form.onCorrection, onHeadline: form.onHeadline }}
          errors=${{ onCorrection: shown('onCorrection'), onHeadline: shown('onHeadline') }}
          set=${set}
        />
        <fieldset>
          <legend>Routing</legend>
          <p class="hint">
            Comma-separated lists. The channel takes an article of its site when every list
            named matches and no exclusion does; with none, it takes them all.
          </p>
          ${text('sections', 'Sections')}
          ${text('tags', 'Tags')}
          ${text('languages', 'Languages')}
          ${text('priorities', 'Priorities')}
          ${text('excludeSections', 'Not these sections')}
          ${text('excludeTags', 'Not these tags')}
        </fieldset>
        ${
          check.other.length > 0 &&
          (submitted || touched.size > 0) &&
          html`<ul class="field-errors">${check.other.map((i) => html`<li>${i.field}: ${i.message}</li>`)}</ul>`
        }
        <div class="buttons">
          <button type="submit" class="primary" disabled=${busy}>
            ${editing ? 'Save changes' : 'Create channel'}
          </button>
          <a class="button-link" href=${routeHref('/channels')}>Cancel</a>
        </div>
      </form>
      <${RoutingPreview} form=${form} />
    </div>
  </section>`;
}
