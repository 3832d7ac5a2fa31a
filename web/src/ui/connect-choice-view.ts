/**
 * The pick after a consent that reached several accounts (Facebook Pages, LinkedIn
 * organizations and the member, Instagram accounts behind Pages): their names, one to
 * choose, and Connect. The tokens stay on the server; this page sees ids and names only.
 */
import { html } from 'htm/preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { NETWORK_NAMES } from '../../../shared/domain/platform';
import { routeHref } from '../router';
import type { ConnectChoice } from '../schemas';
import { AppContext, ErrorNotice } from './common';
import { useAsync } from './hooks';

const KINDS: Record<string, string> = {
  facebook: 'Page',
  linkedin: 'Page or member',
  instagram: 'Instagram account',
};

export function ConnectChoiceView({
  channelId,
  choiceId,
}: {
  channelId: string;
  choiceId: string;
}) {
  const app = useContext(AppContext);
  const choice = useAsync(
    () => (app ? app.api.connectChoice(channelId, choiceId) : Promise.resolve(undefined)),
    [channelId, choiceId],
  );
  const [picked, setPicked] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    document.title = 'Choose the account · Crier';
  }, []);
  if (!app) return null;
  const data: ConnectChoice | undefined = choice.data;
  const network = data ? (NETWORK_NAMES as Record<string, string>)[data.platform] : undefined;
  const kind = data ? (KINDS[data.platform] ?? 'account') : 'account';

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!picked) return;
    setBusy(true);
    setError(undefined);
    try {
      await app.api.chooseConnect(channelId, choiceId, picked);
      app.reloadChannels();
      location.assign(routeHref('/channels', { connected: channelId }));
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };

  return html`<section class="connect-choice-view">
    <h1 tabindex="-1">Choose the account for ${channelId}</h1>
    ${choice.error !== undefined && html`<${ErrorNotice} error=${choice.error} />`}
    ${choice.loading && !data && html`<p class="note">Loading the accounts…</p>`}
    ${
      data &&
      html`<form class="credentials-form" onSubmit=${submit}>
        <p class="note">
          ${network} gave Crier access to ${data.candidates.length} accounts. Choose the
          ${kind.toLowerCase()} channel ${channelId} posts as. This choice must be made
          within 10 minutes of the consent, once.
        </p>
        <fieldset>
          <legend>${kind}</legend>
          ${data.candidates.map(
            (candidate) => html`<label class="choice">
              <input
                type="radio"
                name="candidate"
                value=${candidate.id}
                checked=${picked === candidate.id}
                onChange=${() => setPicked(candidate.id)}
              />
              ${' '}${candidate.name}
            </label>`,
          )}
        </fieldset>
        ${error !== undefined && html`<${ErrorNotice} error=${error} />`}
        <button type="submit" class="primary" disabled=${!picked || busy}>Connect this account</button>
        ${' '}<a href=${routeHref('/channels')}>Cancel</a>
      </form>`
    }
  </section>`;
}
