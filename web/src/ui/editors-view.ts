/**
 * The editors (admins only): who may use Crier and for which sites, a form to add one,
 * and revoking. A new editor's token is shown once, here, and kept nowhere else.
 */
import { html } from 'htm/preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { fieldErrors } from '../field-errors';
import type { EditorAccount, Site } from '../schemas';
import { formatDateTime } from '../time';
import { AppContext, ErrorNotice, inputValue } from './common';
import { useAsync } from './hooks';

type Role = 'editor' | 'admin';

const FORM_FIELDS = ['name', 'role', 'sites'];

function FieldError({ id, message }: { id: string; message?: string }) {
  return message ? html`<p class="field-error" id=${id}>${message}</p>` : null;
}

/** The answer to a create: the token in a box to copy, or the invitation Cognito sends. */
function Created({
  editor,
  token,
  onDone,
}: {
  editor: EditorAccount;
  token?: string;
  onDone: () => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [copied, setCopied] = useState(false);
  useEffect(() => box.current?.focus(), []);
  const copy = async (field: HTMLInputElement | null) => {
    field?.select();
    try {
      await navigator.clipboard.writeText(token ?? '');
      setCopied(true);
    } catch {
      // No clipboard (an insecure origin, or refused): the token is selected to copy by hand.
      setCopied(false);
    }
  };
  const field = useRef<HTMLInputElement>(null);
  return html`<div class="created-editor notice" role="region" aria-label="New editor" tabindex="-1" ref=${box}>
    <p>${editor.name} is now ${editor.role === 'admin' ? 'an admin' : 'an editor'}.</p>
    ${
      token
        ? html`<label for="new-token">Their sign-in token</label>
            <div class="token-box">
              <input id="new-token" type="text" readonly spellcheck="false" autocomplete="off" value=${token} ref=${field} />
              <button type="button" onClick=${() => copy(field.current)}>${copied ? 'Copied' : 'Copy'}</button>
            </div>
            <p class="token-warning">
              Copy it now and hand it to ${editor.name} privately: you will not see it again.
              Crier keeps only a fingerprint of it; if it is lost, revoke this editor and add
              them again.
            </p>`
        : html`<p class="note">
            ${editor.name} will get an email invitation to set a password and sign in.
          </p>`
    }
    <button type="button" onClick=${onDone}>Done</button>
  </div>`;
}

function AddEditor({ sites, onCreated }: { sites: Site[]; onCreated: () => void }) {
  const app = useContext(AppContext);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('editor');
  const [chosen, setChosen] = useState<string[]>([]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  // Held only while this page is open: never stored, logged or put in the address.
  const [created, setCreated] = useState<{ editor: EditorAccount; token?: string }>();
  if (!app) return null;

  const errors =
    error instanceof ApiError && error.status === 400 ? fieldErrors(error.body.fields) : {};
  const unplaced = Object.keys(errors).some((f) => !FORM_FIELDS.includes(f));
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const answer = await app.api.createEditor({
        name: name.trim(),
        role,
        sites: role === 'admin' ? [] : chosen,
      });
      setCreated(answer);
      setName('');
      setChosen([]);
      setRole('editor');
      onCreated();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  if (created) {
    return html`<${Created} ...${created} onDone=${() => setCreated(undefined)} />`;
  }
  return html`<form class="add-editor" aria-label="Add an editor" onSubmit=${submit}>
    <h2>Add an editor</h2>
    <div class="field">
      <label for="editor-name">Name</label>
      <input
        id="editor-name"
        required
        maxlength="100"
        autocomplete="off"
        value=${name}
        aria-invalid=${errors.name ? 'true' : undefined}
        aria-describedby=${errors.name ? 'editor-name-error' : undefined}
        onInput=${(e: Event) => setName(inputValue(e))}
      />
      <${FieldError} id="editor-name-error" message=${errors.name} />
    </div>
    <div class="field">
      <label for="editor-role">Role</label>
      <select
        id="editor-role"
        value=${role}
        aria-invalid=${errors.role ? 'true' : undefined}
        onChange=${(e: Event) => setRole(inputValue(e) === 'admin' ? 'admin' : 'editor')}
      >
        <option value="editor">Editor: their sites' articles and shares</option>
        <option value="admin">Admin: every site, the editors and the audit log</option>
      </select>
      <${FieldError} id="editor-role-error" message=${errors.role} />
    </div>
    <fieldset class="field" aria-describedby=${errors.sites ? 'editor-sites-error' : undefined}>
      <legend>Sites</legend>
      ${
        role === 'admin'
          ? html`<p class="note">An admin sees every site.</p>`
          : sites.map(
              (site) => html`<label class="check">
                <input
                  type="checkbox"
                  name="sites"
                  value=${site.id}
                  checked=${chosen.includes(site.id)}
                  onChange=${(e: Event) => {
                    const on = (e.currentTarget as HTMLInputElement).checked;
                    setChosen((now) =>
                      on ? [...now, site.id] : now.filter((id) => id !== site.id),
                    );
                  }}
                />
                ${site.name} <span class="note">(${site.id})</span>
              </label>`,
            )
      }
      <${FieldError} id="editor-sites-error" message=${errors.sites} />
    </fieldset>
    <button type="submit" class="primary" disabled=${busy}>Add editor</button>
    ${
      error !== undefined &&
      (Object.keys(errors).length === 0 || unplaced) &&
      html`<${ErrorNotice} error=${error} />`
    }
    ${
      error !== undefined &&
      Object.keys(errors).length > 0 &&
      !unplaced &&
      html`<p class="notice notice-error" role="alert">Not saved: check the fields marked above.</p>`
    }
  </form>`;
}

function EditorRow({
  editor,
  siteNames,
  onRevoked,
}: {
  editor: EditorAccount;
  siteNames: Map<string, string>;
  onRevoked: (name: string) => void;
}) {
  const app = useContext(AppContext);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const yes = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) yes.current?.focus();
  }, [confirming]);
  if (!app) return null;
  const revoke = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await app.api.revokeEditor(editor.id);
      onRevoked(editor.name);
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };
  return html`<tr data-editor=${editor.id}>
    <th scope="row">${editor.name}</th>
    <td>${editor.role === 'admin' ? 'Admin' : 'Editor'}</td>
    <td>
      ${
        editor.role === 'admin'
          ? 'Every site'
          : editor.sites.map((id) => siteNames.get(id) ?? id).join(', ') || 'None'
      }
    </td>
    <td>
      ${editor.createdBy ?? ''}
      ${editor.createdAt && html`<div class="note"><time datetime=${editor.createdAt}>${formatDateTime(editor.createdAt)}</time></div>`}
    </td>
    <td>
      ${
        confirming
          ? html`<div class="confirm" role="group" aria-label=${`Confirm revoking ${editor.name}`}>
              <p>Revoke ${editor.name}? They are signed out and cannot sign in again.</p>
              <div class="buttons">
                <button type="button" class="danger" ref=${yes} disabled=${busy} onClick=${revoke}>
                  Yes, revoke
                </button>
                <button type="button" onClick=${() => setConfirming(false)}>No, keep</button>
              </div>
            </div>`
          : html`<button type="button" class="danger" onClick=${() => setConfirming(true)}>
              Revoke<span class="visually-hidden"> ${editor.name}</span>
            </button>`
      }
      ${error !== undefined && html`<${ErrorNotice} error=${error} />`}
    </td>
  </tr>`;
}

export function EditorsView() {
  const app = useContext(AppContext);
  const editors = useAsync(() => (app ? app.api.listEditors() : Promise.resolve([])), [app?.api]);
  const sites = useAsync(() => (app ? app.api.listSites() : Promise.resolve([])), [app?.api]);
  const [status, setStatus] = useState('');
  useEffect(() => {
    document.title = 'Editors · Crier';
  }, []);
  if (!app) return null;
  const siteNames = new Map((sites.data ?? []).map((s) => [s.id, s.name]));
  const list = [...(editors.data ?? [])].sort((a, b) => a.name.localeCompare(b.name));

  return html`<section class="editors-view">
    <h1 tabindex="-1">Editors</h1>
    <p class="note">
      The editors made here. An editor sees and acts on their sites' articles and shares
      only; an admin sees every site and these pages.
    </p>
    <p class="status-line" role="status">${status}</p>
    ${editors.error !== undefined && html`<${ErrorNotice} error=${editors.error} />`}
    <table class="shares-table editors-table">
      <caption>Editors <span class="count-note">(${list.length})</span></caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Role</th>
          <th scope="col">Sites</th>
          <th scope="col">Added by</th>
          <th scope="col"><span class="visually-hidden">Actions</span></th>
        </tr>
      </thead>
      <tbody>
        ${
          editors.data === undefined
            ? html`<tr><td colspan="5" class="empty">Loading…</td></tr>`
            : list.length === 0
              ? html`<tr><td colspan="5" class="empty">No editors made here yet.</td></tr>`
              : list.map(
                  (editor) => html`<${EditorRow}
                    key=${editor.id}
                    editor=${editor}
                    siteNames=${siteNames}
                    onRevoked=${(name: string) => {
                      setStatus(`${name} was revoked.`);
                      editors.reload();
                    }}
                  />`,
                )
        }
      </tbody>
    </table>
    ${sites.error !== undefined && html`<${ErrorNotice} error=${sites.error} />`}
    <${AddEditor}
      sites=${sites.data ?? []}
      onCreated=${() => {
        setStatus('');
        editors.reload();
      }}
    />
  </section>`;
}
