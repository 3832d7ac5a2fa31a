/** An article and every share of it, each as its network would show it, editable in place. */
import { html } from 'htm/preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { isFinal } from '../../../shared/domain/share-state';
import { hostOf } from '../rich-text';
import { routeHref } from '../router';
import { type ArticleChannelsAnswer, type ArticleDetail, type Share, shareKey } from '../schemas';
import { formatDateTime } from '../time';
import { AddChannel } from './add-channel';
import { AppContext, ErrorNotice, platformOrder } from './common';
import { useInterval } from './hooks';
import { ShareCard } from './share-card';

/** While a share can still move on its own, the view looks again this often. */
const POLL_MS = 3000;

export function ArticleView({ articleId }: { articleId: string }) {
  const app = useContext(AppContext);
  const [detail, setDetail] = useState<ArticleDetail>();
  const [error, setError] = useState<unknown>();
  const request = useRef(0);

  const load = () => {
    if (!app) return;
    const mine = ++request.current;
    app.api.getArticle(articleId).then(
      (answer) => {
        if (mine !== request.current) return;
        setDetail(answer);
        setError(undefined);
      },
      (caught: unknown) => {
        if (mine === request.current) setError(caught);
      },
    );
  };
  useEffect(() => {
    setDetail(undefined);
    load();
  }, [articleId]);

  // Shares still to come (being composed) or still to move on their own: look again.
  const moving = detail
    ? detail.shares.length === 0 || detail.shares.some((share) => !isFinal(share.status))
    : false;
  useInterval(load, moving ? POLL_MS : null);

  useEffect(() => {
    if (detail) document.title = `${detail.article.title} · Crier`;
  }, [detail?.article.title]);

  if (!app) return null;
  if (!detail) {
    return html`<section aria-busy=${error ? 'false' : 'true'}>
      <h1 tabindex="-1">Article</h1>
      ${error ? html`<${ErrorNotice} error=${error} />` : html`<p>Loading the article…</p>`}
    </section>`;
  }

  const { article } = detail;
  // A post of the desk's own: no page of its own, its text written by an editor.
  const desk = article.source === 'desk';
  const replaceShare = (share: Share) => {
    // The answer to our own change is newer than any poll still on its way.
    request.current++;
    setDetail(
      (current) =>
        current && {
          ...current,
          shares: current.shares.map((s) => (shareKey(s) === shareKey(share) ? share : s)),
        },
    );
  };
  // A channel added or dropped: the answer holds the article and every share.
  const replaceShares = ({ article, shares }: ArticleChannelsAnswer) => {
    request.current++;
    setDetail({ article, shares });
  };
  const shares = [...detail.shares].sort(
    (a, b) =>
      platformOrder(a.platform) - platformOrder(b.platform) ||
      shareKey(a).localeCompare(shareKey(b)),
  );
  const accountOf = (channelId: string) =>
    app.channels.find((c) => c.id === channelId)?.account ?? channelId;

  return html`<section class="article-view">
    <p class="back"><a href=${routeHref('/queue')}>← Back to the queue</a></p>
    <header class="article-head">
      ${desk && html`<p class="desk-label"><span class="badge">Desk post</span></p>`}
      <h1 tabindex="-1">${article.title}</h1>
      ${desk && article.summary && html`<p class="desk-text">${article.summary}</p>`}
      <p class="article-meta">
        ${article.section && html`<span>${article.section}</span>`}
        ${article.authors.length > 0 && html`<span>by ${article.authors.map((a) => a.name).join(', ')}</span>`}
        ${article.publishedAt && html`<span>${desk ? 'written' : 'published'} <time datetime=${article.publishedAt}>${formatDateTime(article.publishedAt)}</time></span>`}
        ${
          article.url &&
          html`<a href=${article.url} target="_blank" rel="noopener noreferrer"
            >${hostOf(article.url)}<span class="visually-hidden"> (the article, opens in a new tab)</span></a
          >`
        }
        ${
          desk &&
          article.link &&
          html`<span>link <a href=${article.link} target="_blank" rel="noopener noreferrer"
            >${hostOf(article.link)}<span class="visually-hidden"> (opens in a new tab)</span></a
          ></span>`
        }
      </p>
      ${
        article.status !== 'published' &&
        html`<p class="notice notice-warning">
          This article is ${article.status} in the CMS: its shares that had not gone out were cancelled.
        </p>`
      }
      ${error !== undefined && html`<${ErrorNotice} error=${error} />`}
    </header>
    ${
      shares.length === 0
        ? html`<p>No shares yet: the article is still being composed.</p>`
        : html`<div class="shares">
            ${shares.map(
              (share) => html`<${ShareCard}
                key=${shareKey(share)}
                article=${article}
                share=${share}
                account=${accountOf(share.channelId)}
                onShare=${replaceShare}
                onConflict=${load}
                onChannels=${replaceShares}
              />`,
            )}
          </div>`
    }
    ${!desk && html`<${AddChannel} article=${article} shares=${detail.shares} onChannels=${replaceShares} />`}
  </section>`;
}
