/**
 * The article page's "Add a channel": the site's active channels with no live share on
 * this article (none, or only a cancelled one), one of which an editor adds. The API
 * composes its share as compose would, and no later update from the CMS drops it.
 */
import { html } from 'htm/preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { Article, ArticleChannelsAnswer, Channel, Share } from '../schemas';
import { AppContext, accountHandle, ErrorNotice, inputValue, NETWORK_NAMES } from './common';

const DEFAULT_SITE = 'default';

const OUTCOME_TEXT: Record<string, string> = {
  added: 'added: its post is composed',
  revived: 'added back: its cancelled post is composed again',
  'already-live': 'already has a post for this article',
};

/** The channels an editor may add: the article's site's, active, with no live share here. */
export function addableChannels(
  channels: readonly Channel[],
  article: Pick<Article, 'siteId'>,
  shares: readonly Share[],
): Channel[] {
  const site = article.siteId ?? DEFAULT_SITE;
  const live = new Set(
    shares.filter((s) => !s.round && s.status !== 'cancelled').map((s) => s.channelId),
  );
  return channels.filter(
    (channel) =>
      (channel.siteId ?? DEFAULT_SITE) === site &&
      (channel.status ?? 'active') === 'active' &&
      !live.has(channel.id),
  );
}

export function AddChannel({
  article,
  shares,
  onChannels,
}: {
  article: Article;
  shares: readonly Share[];
  onChannels: (answer: ArticleChannelsAnswer) => void;
}) {
  const app = useContext(AppContext);
  const [chosen, setChosen] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState('');
  const choices = app ? addableChannels(app.channels, article, shares) : [];
  // The choice goes when its channel does (added meanwhile, archived).
  useEffect(() => {
    if (chosen && !choices.some((c) => c.id === chosen)) setChosen('');
  }, [choices.map((c) => c.id).join(' ')]);

  if (!app || article.status !== 'published') return null;
  const label = (channel: Channel) =>
    `${NETWORK_NAMES[channel.platform]} ${accountHandle(channel.platform, channel.account)}${channel.name ? ` (${channel.name})` : ''}`;

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!chosen || busy) return;
    setBusy(true);
    setError(undefined);
    setNotice('');
    try {
      const answer = await app.api.changeChannels(article.id, { add: [chosen] });
      onChannels(answer);
      const change = answer.changes[0];
      const channel = app.channels.find((c) => c.id === chosen);
      const name = channel ? label(channel) : chosen;
      setNotice(`${name} ${OUTCOME_TEXT[change?.outcome ?? 'added'] ?? change?.outcome}.`);
      setChosen('');
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return html`<section class="add-channel" aria-labelledby="add-channel-title">
    <h2 id="add-channel-title">Add a channel</h2>
    ${
      choices.length === 0
        ? html`<p>Every active channel of this site has a post for this article.</p>`
        : html`<form onSubmit=${submit}>
            <label for="add-channel-choice">Channel</label>
            <select
              id="add-channel-choice"
              value=${chosen}
              onChange=${(e: Event) => setChosen(inputValue(e))}
            >
              <option value="">Choose a channel…</option>
              ${choices.map((c) => html`<option value=${c.id}>${label(c)}</option>`)}
            </select>
            <button type="submit" class="primary" aria-disabled=${String(!chosen || busy)}>
              Add to this article
            </button>
          </form>`
    }
    <p class="status-line" role="status">${busy ? 'Working…' : notice}</p>
    ${error !== undefined && html`<${ErrorNotice} error=${error} />`}
  </section>`;
}
