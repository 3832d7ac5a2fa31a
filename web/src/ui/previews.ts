/**
 * Each share drawn the way its network draws a post: the account, the text with its
 * links, hashtags and mentions, and the link card or image the network shows. An
 * approximation for judging a post at a glance, kept close to each network's layout.
 */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { Platform } from '../../../shared/domain/platform';
import { fitsCaption } from '../../../shared/platforms/telegram/rules';
import { hostOf, pieces } from '../rich-text';
import type { Article, Share } from '../schemas';
import { accountHandle, NETWORK_NAMES } from './common';

type Image = { url: string; alt: string; width?: number; height?: number };
type Card = { title: string; description?: string; host: string; image?: Image };

const isWebUrl = (url: string | null | undefined): url is string =>
  typeof url === 'string' && /^https?:\/\//i.test(url);

/** The image Crier attaches (Instagram, X with media), if any. */
function attachedImage(share: Share): Image | undefined {
  const media = share.media?.find((m) => isWebUrl(m.url));
  if (!media) return undefined;
  return {
    url: media.url,
    alt: media.alt ?? '',
    width: media.width ?? undefined,
    height: media.height ?? undefined,
  };
}

/** The link card: the share's own, else the article's title, summary and image. */
function linkCard(share: Share, article: Article): Card {
  const card = share.card;
  const imageUrl = [card?.imageUrl, article.imageUrl].find(isWebUrl);
  return {
    title: card?.title ?? article.title,
    description: card?.description ?? article.summary ?? undefined,
    host: hostOf(card?.url ?? (share.url || article.url)),
    image: imageUrl ? { url: imageUrl, alt: card?.imageAlt ?? article.imageAlt ?? '' } : undefined,
  };
}

/** A display name from a handle: `newsroom.bsky.social` -> `Newsroom`. */
export function displayName(account: string): string {
  const first = account.trim().replace(/^@/, '').split(/[@.]/)[0] ?? account;
  return first.charAt(0).toUpperCase() + first.slice(1);
}

function RichText({ platform, text }: { platform: Platform; text: string }) {
  return html`<div class="pv-text">
    ${pieces(platform, text).map((piece) => {
      if (piece.kind === 'link') {
        return html`<a class="pv-link" href=${piece.href} target="_blank" rel="noopener noreferrer"
          >${piece.text}</a
        >`;
      }
      if (piece.kind === 'text') return piece.text;
      return html`<span class=${`pv-${piece.kind}`}>${piece.text}</span>`;
    })}
  </div>`;
}

/** An image that shows where it was when it cannot load (offline, or a private address). */
function PreviewImage({
  image,
  className,
  host,
}: {
  image?: Image;
  className: string;
  host: string;
}) {
  const [failed, setFailed] = useState(false);
  if (!image || failed) {
    return html`<div class=${`${className} pv-noimage`} role="img" aria-label=${image?.alt || `No image: ${host}`}>
      <span aria-hidden="true">${image ? 'Image not reachable from this browser' : 'No image'}</span>
    </div>`;
  }
  return html`<img
    class=${className}
    src=${image.url}
    alt=${image.alt}
    referrerpolicy="no-referrer"
    onError=${() => setFailed(true)}
  />`;
}

function Avatar({ name, shape = 'round' }: { name: string; shape?: 'round' | 'square' }) {
  return html`<span class=${`pv-avatar pv-avatar-${shape}`} aria-hidden="true"
    >${name.charAt(0).toUpperCase()}</span
  >`;
}

type PreviewProps = { share: Share; article: Article; text: string; account: string };

function XPreview({ share, article, text, account }: PreviewProps) {
  const image = attachedImage(share);
  const card = linkCard(share, article);
  return html`<div class="pv-row">
    <${Avatar} name=${displayName(account)} />
    <div class="pv-body">
      <p class="pv-head">
        <strong class="pv-name">${displayName(account)}</strong>
        <span class="pv-handle">${accountHandle('x', account)} · now</span>
      </p>
      <${RichText} platform="x" text=${text} />
      ${
        image
          ? html`<${PreviewImage} className="pv-media" image=${image} host=${card.host} />`
          : html`<div class="pv-card pv-card-overlay">
              <${PreviewImage} className="pv-card-image" image=${card.image} host=${card.host} />
              <span class="pv-card-overlay-title">${card.title}</span>
            </div>
            <p class="pv-card-from">From ${card.host}</p>`
      }
    </div>
  </div>`;
}

function BlueskyPreview({ share, article, text, account }: PreviewProps) {
  const card = linkCard(share, article);
  return html`<div class="pv-row">
    <${Avatar} name=${displayName(account)} />
    <div class="pv-body">
      <p class="pv-head">
        <strong class="pv-name">${displayName(account)}</strong>
        <span class="pv-handle">${accountHandle('bluesky', account)} · now</span>
      </p>
      <${RichText} platform="bluesky" text=${text} />
      <div class="pv-card">
        <${PreviewImage} className="pv-card-image" image=${card.image} host=${card.host} />
        <div class="pv-card-body">
          <p class="pv-card-title">${card.title}</p>
          ${card.description && html`<p class="pv-card-description">${card.description}</p>`}
          <p class="pv-card-host">${card.host}</p>
        </div>
      </div>
    </div>
  </div>`;
}

function MastodonPreview({ share, article, text, account }: PreviewProps) {
  const card = linkCard(share, article);
  // A status with an attached picture shows it, and no link card.
  const image = attachedImage(share);
  return html`<div class="pv-row">
    <${Avatar} name=${displayName(account)} shape="square" />
    <div class="pv-body">
      <p class="pv-head">
        <strong class="pv-name">${displayName(account)}</strong>
        <span class="pv-handle">${accountHandle('mastodon', account)}</span>
      </p>
      <${RichText} platform="mastodon" text=${text} />
      ${
        image
          ? html`<${PreviewImage} className="pv-media" image=${image} host=${card.host} />`
          : html`<div class="pv-card">
              <${PreviewImage} className="pv-card-image" image=${card.image} host=${card.host} />
              <div class="pv-card-body">
                <p class="pv-card-host">${card.host}</p>
                <p class="pv-card-title">${card.title}</p>
                ${card.description && html`<p class="pv-card-description">${card.description}</p>`}
              </div>
            </div>`
      }
    </div>
  </div>`;
}

function ThreadsPreview({ share, article, text, account }: PreviewProps) {
  const card = linkCard(share, article);
  // With an image, Crier posts an image post (no link attachment).
  const image = attachedImage(share);
  return html`<div class="pv-row">
    <${Avatar} name=${displayName(account)} />
    <div class="pv-body">
      <p class="pv-head">
        <strong class="pv-name">${accountHandle('threads', account)}</strong>
        <span class="pv-handle">now</span>
      </p>
      <${RichText} platform="threads" text=${text} />
      ${
        image
          ? html`<${PreviewImage} className="pv-media" image=${image} host=${card.host} />`
          : html`<div class="pv-card">
              <${PreviewImage} className="pv-card-image" image=${card.image} host=${card.host} />
              <div class="pv-card-body">
                <p class="pv-card-host">${card.host}</p>
                <p class="pv-card-title">${card.title}</p>
              </div>
            </div>`
      }
    </div>
  </div>`;
}

function LinkedInPreview({ share, article, text, account }: PreviewProps) {
  const card = linkCard(share, article);
  return html`<div>
    <div class="pv-row pv-row-center">
      <${Avatar} name=${displayName(account)} shape="square" />
      <p class="pv-head pv-head-stacked">
        <strong class="pv-name">${accountHandle('linkedin', account)}</strong>
        <span class="pv-handle">now · Public</span>
      </p>
    </div>
    <${RichText} platform="linkedin" text=${text} />
    <div class="pv-card pv-card-flush">
      <${PreviewImage} className="pv-card-image" image=${card.image} host=${card.host} />
      <div class="pv-card-body">
        <p class="pv-card-title">${card.title}</p>
        <p class="pv-card-host">${card.host}</p>
      </div>
    </div>
  </div>`;
}

function FacebookPreview({ share, article, text, account }: PreviewProps) {
  const card = linkCard(share, article);
  return html`<div>
    <div class="pv-row pv-row-center">
      <${Avatar} name=${displayName(account)} />
      <p class="pv-head pv-head-stacked">
        <strong class="pv-name">${accountHandle('facebook', account)}</strong>
        <span class="pv-handle">Just now · Public</span>
      </p>
    </div>
    <${RichText} platform="facebook" text=${text} />
    <div class="pv-card pv-card-flush">
      <${PreviewImage} className="pv-card-image" image=${card.image} host=${card.host} />
      <div class="pv-card-body">
        <p class="pv-card-host pv-upper">${card.host}</p>
        <p class="pv-card-title">${card.title}</p>
        ${card.description && html`<p class="pv-card-description">${card.description}</p>`}
      </div>
    </div>
  </div>`;
}

// Like, comment, share: drawn, since an emoji font may be missing.
const INSTAGRAM_ICONS = [
  'M12 21s-7-4.4-9.3-8.6C1 9 3 5 6.6 5c2 0 3.4 1.2 4.1 2.4h.6C12 6.2 13.4 5 15.4 5 19 5 21 9 21.3 12.4 19 16.6 12 21 12 21z',
  'M20 11.5a8 8 0 1 1-3.2-6.4A8 8 0 0 1 20 11.5zM20 11.5 21 20l-5-2.3',
  'M21 3 10 14M21 3l-7 18-4-7-7-4z',
].map(
  (d) =>
    html`<svg viewBox="0 0 24 24" width="22" height="22" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round"><path d=${d} /></svg>`,
);

function InstagramPreview({ share, article, text, account }: PreviewProps) {
  const handle = accountHandle('instagram', account);
  const image = attachedImage(share) ?? linkCard(share, article).image;
  return html`<div>
    <div class="pv-row pv-row-center">
      <${Avatar} name=${handle} />
      <strong class="pv-name">${handle}</strong>
    </div>
    <${PreviewImage} className="pv-square" image=${image} host=${hostOf(article.url)} />
    <p class="pv-icons" aria-hidden="true">${INSTAGRAM_ICONS}</p>
    <div class="pv-caption">
      <strong class="pv-name">${handle}</strong>${' '}<${RichText} platform="instagram" text=${text} />
    </div>
  </div>`;
}

function TelegramPreview({ share, article, text, account }: PreviewProps) {
  const card = linkCard(share, article);
  const photo = attachedImage(share);
  // A photo whose caption fits goes as a photo post; anything else as text with a link preview.
  if (photo && fitsCaption(text)) {
    return html`<div class="pv-bubble pv-bubble-photo">
      <${PreviewImage} className="pv-photo" image=${photo} host=${card.host} />
      <div class="pv-caption">
        <p class="pv-channel">${displayName(account)}</p>
        <${RichText} platform="telegram" text=${text} />
        <p class="pv-meta" aria-hidden="true">now</p>
      </div>
    </div>`;
  }
  return html`<div class="pv-bubble">
    <p class="pv-channel">${displayName(account)}</p>
    <${RichText} platform="telegram" text=${text} />
    <div class="pv-tg-preview">
      <p class="pv-card-host">${card.host}</p>
      <p class="pv-card-title">${card.title}</p>
      ${card.description && html`<p class="pv-card-description">${card.description}</p>`}
      <${PreviewImage} className="pv-card-image" image=${card.image} host=${card.host} />
    </div>
    <p class="pv-meta" aria-hidden="true">now</p>
  </div>`;
}

const PREVIEWS: Record<Platform, (props: PreviewProps) => unknown> = {
  x: XPreview,
  bluesky: BlueskyPreview,
  mastodon: MastodonPreview,
  threads: ThreadsPreview,
  linkedin: LinkedInPreview,
  facebook: FacebookPreview,
  instagram: InstagramPreview,
  telegram: TelegramPreview,
};

export function Preview(props: PreviewProps) {
  const platform = props.share.platform;
  return html`<figure class=${`pv pv-${platform}`}>
    <figcaption class="visually-hidden">How the post looks on ${NETWORK_NAMES[platform]}</figcaption>
    <${PREVIEWS[platform]} ...${props} />
  </figure>`;
}
