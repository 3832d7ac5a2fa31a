/** The site switcher in the header: which site's articles and channels the views show. */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { Site } from '../schemas';
import { chooseSite } from '../site-choice';
import { inputValue } from './common';

const KEY = 'crier.site';

function storedSite(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

/** Keeps the choice for the next visit; undefined (all sites) forgets it. */
function storeSite(siteId: string | undefined): void {
  try {
    if (siteId) localStorage.setItem(KEY, siteId);
    else localStorage.removeItem(KEY);
  } catch {
    // A browser that keeps nothing asks again next time.
  }
}

/** The site chosen (undefined: all of them) among `sites`, and how to choose another. */
export function useSiteChoice(
  sites: readonly Site[] | undefined,
): [string | undefined, (siteId: string | undefined) => void] {
  const [stored, setStored] = useState(storedSite);
  const chosen = chooseSite(
    stored,
    (sites ?? []).map((site) => site.id),
  );
  const choose = (siteId: string | undefined) => {
    storeSite(siteId);
    setStored(siteId ?? null);
  };
  return [chosen, choose];
}

export function SiteSwitcher({
  sites,
  siteId,
  onChoose,
}: {
  sites: readonly Site[];
  siteId: string | undefined;
  onChoose: (siteId: string | undefined) => void;
}) {
  // One site: nothing to choose; its name says where the editor is.
  if (sites.length === 1) return html`<span class="site-name">${sites[0]?.name}</span>`;
  if (sites.length === 0) return null;
  return html`<label class="site-switcher">
    <span class="visually-hidden">Site</span>
    <select
      value=${siteId ?? ''}
      onChange=${(e: Event) => onChoose(inputValue(e) || undefined)}
    >
      <option value="">All sites</option>
      ${sites.map((site) => html`<option value=${site.id}>${site.name}</option>`)}
    </select>
  </label>`;
}
