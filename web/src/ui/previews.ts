/**
 * Each share drawn the way its network draws a post: the account, the text with its
 * links, hashtags and mentions, and the link card or image the network shows. An
 * approximation for judging a post at a glance, kept close to each network's layout.
 */
import { html } from 'htm/preact';
import { useContext } from 'preact/hooks';
import type { Platform } from '../../../shared/domain/platform';
import { type KnownLink, knownLinks } from '../../../shared/platforms/bluesky/links';
import { FOLD_RULES, foldOffset } from '../../../shared/platforms/fold';
import { postShape } from '../../../shared/preview/card-rules';
import {
  accountOf,
  attachedImage,
  type Card,
  fromThePage,
  type Image,
  linkCard,
} from '../preview-model';
import { pieces } from '../rich-text';
import type { Article, Share } from '../schemas';
import { AppContext, NETWORK_NAMES } from './common';
import { PreviewImage } from './preview-image';

export { accountOf, attachedImage, displayName, linkCard } from '../preview-model';

/** The text's pieces as the network shows them: its links, mentions, hashtags and the rest. */
export function Pieces({
  platform,
  text,
  links = [],
}: {
  platform: Platform;
  text: string;
  links?: readonly KnownLink[];
}) {
  return pieces(platform, text, links).map((piece) => {
    if (piece.kind === 'link') {
      return html`<a class="pv-link" href=${piece.href} target="_blank" rel="noopener noreferrer"
        >${piece.text}</a
      >`;
    }
    if (piece.kind === 'text') return piece.text;
    return html`<span class=${`pv-${piece.kind}`}>${piece.text}</span>`;
  });
}

/**
 * The text, cut where the network's feed folds it: what shows, the fold marked as the
 * network marks it ("See more"), and the rest dimmed below a dashed line.
 */
function RichText({
  platform,
  text,
  links = [],
}: {
  platform: Platform;
  text: string;
  /** Bluesky: the labels the post shows and the URLs they link to */
  links?: readonly KnownLink[];
}) {
  const fold = foldOffset(platform, text);
  const rule = FOLD_RULES[platform];
  if (fold === undefined || !rule) {
    return html`<div class="pv-text"><${Pieces} platform=${platform} text=${text} links=${links} /></div>`;
  }
  return html`<div class="pv-text">
    <${Pieces} platform=${platform} text=${text.slice(0, fold).trimEnd()} /><span
      class="pv-fold-more"
      >${rule.label}</span
    >
    <div class="pv-fold" data-fold-at=${fold} role="note">
      <span class="pv-fold-label">${NETWORK_NAMES[platform]} folds the post here: the rest shows after “${rule.label.replace(/^…\s*/, '')}”</span>
    </div>
    <div class="pv-folded"><${Pieces} platform=${platform} text=${text.slice(fold).trimStart()} /></div>
  </div>`;
}

function Avatar({ name, shape = 'round' }: { name: string; shape?: 'round' | 'square' }) {
  return html`<span class=${`pv-avatar pv-avatar-${shape}`} aria-hidden="true"
    >${name.charAt(0).toUpperCase()}</span
  >`;
}

type PreviewProps = {
  share: Share;
  article: Article;
  text: string;
  /** the channel's name and handle */
  who: { name: string; handle: string };
};

/** The card's picture where the network shows one; none where it shows the link without. */
function CardImage({ share, card }: { share: Share; card: Card }) {
  if (!card.image) return null;
  return html`<${PreviewImage}
    className="pv-card-image"
    image=${card.image}
    unloadable=${fromThePage(share.platform, card.host)}
  />`;
}

/** Says that the card is the article's guess where the network reads a page Crier could not. */
function CardNote({ card }: { card: Card }) {
  return card.note ? html`<p class="pv-card-note">${card.note}</p>` : null;
}

function MediaImage({
  share,
  image,
  className,
}: {
  share: Share;
  image: Image;
  className: string;
}) {
  return html`<${PreviewImage}
    className=${className}
    image=${image}
    unloadable=${`${NETWORK_NAMES[share.platform]} posts this image; it did not load here`}
  />`;
}

/** The post's own image where the network shows it instead of a card, as the checker reads it. */
const shownMedia = (share: Share, text: string) =>
  postShape(share.platform, { text, media: share.media }) === 'media'
    ? attachedImage(share)
    : undefined;

function XPreview({ share, article, text, who }: PreviewProps) {
  const image = shownMedia(share, text);
  const card = linkCard(share, article);
  return html`<div class="pv-row">
    <${Avatar} name=${who.name} />
    <div class="pv-body">
      <p class="pv-head">
        <strong class="pv-name">${who.name}</strong>
        <span class="pv-handle">${who.handle} · now</span>
      </p>
      <${RichText} platform="x" text=${text} />
      ${
        image
          ? html`<${MediaImage} share=${share} image=${image} className="pv-media" />`
          : card.image
            ? html`<div class="pv-card pv-card-overlay">
                <${CardImage} share=${share} card=${card} />
                <span class="pv-card-overlay-title">${card.title}</span>
              </div>
              <p class="pv-card-from">From ${card.host}</p>`
            : html`<div class="pv-card">
                <div class="pv-card-body">
                  <p class="pv-card-host">${card.host}</p>
                  <p class="pv-card-title">${card.title}</p>
                </div>
              </div>`
      }
      <${CardNote} card=${card} />
    </div>
  </div>`;
}

function BlueskyPreview({ share, article, text, who }: PreviewProps) {
  const card = linkCard(share, article);
  return html`<div class="pv-row">
    <${Avatar} name=${who.name} />
    <div class="pv-body">
      <p class="pv-head">
        <strong class="pv-name">${who.name}</strong>
        <span class="pv-handle">${who.handle} · now</span>
      </p>
      <${RichText} platform="bluesky" text=${text} links=${knownLinks({ ...share, facets: share.facets ?? [] })} />
      <div class="pv-card">
        <${CardImage} share=${share} card=${card} />
        <div class="pv-card-body">
          <p class="pv-card-title">${card.title}</p>
          ${card.description && html`<p class="pv-card-description">${card.description}</p>`}
          <p class="pv-card-host">${card.host}</p>
        </div>
      </div>
    </div>
  </div>`;
}

function MastodonPreview({ share, article, text, who }: PreviewProps) {
  const card = linkCard(share, article);
  // A status with an attached picture shows it, and no link card.
  const image = attachedImage(share);
  return html`<div class="pv-row">
    <${Avatar} name=${who.name} shape="square" />
    <div class="pv-body">
      <p class="pv-head">
        <strong class="pv-name">${who.name}</strong>
        <span class="pv-handle">${who.handle}</span>
      </p>
      <${RichText} platform="mastodon" text=${text} />
      ${
        image
          ? html`<${MediaImage} share=${share} image=${image} className="pv-media" />`
          : html`<div class="pv-card">
        <${CardImage} share=${share} card=${card} />
        <div class="pv-card-body">
          <p class="pv-card-host">${card.host}</p>
          <p class="pv-card-title">${card.title}</p>
          ${card.description && html`<p class="pv-card-description">${card.description}</p>`}
        </div>
      </div>
      <${CardNote} card=${card} />`
      }
    </div>
  </div>`;
}

function ThreadsPreview({ share, article, text, who }: PreviewProps) {
  const card = linkCard(share, article);
  // With an image, Crier posts an image post (no link attachment).
  const image = shownMedia(share, text);
  return html`<div class="pv-row">
    <${Avatar} name=${who.handle} />
    <div class="pv-body">
      <p class="pv-head">
        <strong class="pv-name">${who.handle}</strong>
        <span class="pv-handle">now</span>
      </p>
      <${RichText} platform="threads" text=${text} />
      ${
        image
          ? html`<${MediaImage} share=${share} image=${image} className="pv-media" />`
          : html`<div class="pv-card">
              <${CardImage} share=${share} card=${card} />
              <div class="pv-card-body">
                <p class="pv-card-host">${card.host}</p>
                <p class="pv-card-title">${card.title}</p>
              </div>
            </div>
            <${CardNote} card=${card} />`
      }
    </div>
  </div>`;
}

function LinkedInPreview({ share, article, text, who }: PreviewProps) {
  const card = linkCard(share, article);
  return html`<div>
    <div class="pv-row pv-row-center">
      <${Avatar} name=${who.handle} shape="square" />
      <p class="pv-head pv-head-stacked">
        <strong class="pv-name">${who.handle}</strong>
        <span class="pv-handle">now · Public</span>
      </p>
    </div>
    <${RichText} platform="linkedin" text=${text} />
    <div class="pv-card pv-card-flush">
      <${CardImage} share=${share} card=${card} />
      <div class="pv-card-body">
        <p class="pv-card-title">${card.title}</p>
        <p class="pv-card-host">${card.host}</p>
      </div>
    </div>
  </div>`;
}

function FacebookPreview({ share, article, text, who }: PreviewProps) {
  const card = linkCard(share, article);
  return html`<div>
    <div class="pv-row pv-row-center">
      <${Avatar} name=${who.handle} />
      <p class="pv-head pv-head-stacked">
        <strong class="pv-name">${who.handle}</strong>
        <span class="pv-handle">Just now · Public</span>
      </p>
    </div>
    <${RichText} platform="facebook" text=${text} />
    <div class="pv-card pv-card-flush">
      <${CardImage} share=${share} card=${card} />
      <div class="pv-card-body">
        <p class="pv-card-host pv-upper">${card.host}</p>
        <p class="pv-card-title">${card.title}</p>
        ${card.description && html`<p class="pv-card-description">${card.description}</p>`}
      </div>
    </div>
    <${CardNote} card=${card} />
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

function InstagramPreview({ share, text, who }: PreviewProps) {
  // Instagram posts the image Crier attaches; without one it refuses the post.
  const image = attachedImage(share);
  return html`<div>
    <div class="pv-row pv-row-center">
      <${Avatar} name=${who.handle} />
      <strong class="pv-name">${who.handle}</strong>
    </div>
    ${
      image
        ? html`<${MediaImage} share=${share} image=${image} className="pv-square" />`
        : html`<div class="pv-square pv-noimage" role="img" aria-label="No image">
            <span aria-hidden="true">No image: Instagram refuses a post without one</span>
          </div>`
    }
    <p class="pv-icons" aria-hidden="true">${INSTAGRAM_ICONS}</p>
    <div class="pv-caption">
      <strong class="pv-name">${who.handle}</strong>${' '}<${RichText} platform="instagram" text=${text} />
    </div>
  </div>`;
}

function TelegramPreview({ share, article, text, who }: PreviewProps) {
  const card = linkCard(share, article);
  // A photo whose caption fits goes as a photo post; anything else as text with a link preview.
  const photo = shownMedia(share, text);
  if (photo) {
    return html`<div class="pv-bubble pv-bubble-photo">
      <${MediaImage} share=${share} image=${photo} className="pv-photo" />
      <div class="pv-caption">
        <p class="pv-channel">${who.name}</p>
        <${RichText} platform="telegram" text=${text} />
        <p class="pv-meta" aria-hidden="true">now</p>
      </div>
    </div>`;
  }
  return html`<div class="pv-bubble">
    <p class="pv-channel">${who.name}</p>
    <${RichText} platform="telegram" text=${text} />
    <div class="pv-tg-preview">
      <p class="pv-card-host">${card.host}</p>
      <p class="pv-card-title">${card.title}</p>
      ${card.description && html`<p class="pv-card-description">${card.description}</p>`}
      <${CardImage} share=${share} card=${card} />
    </div>
    <${CardNote} card=${card} />
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

/** A post with no link at all (a desk post without one): its text and image, no card. */
function PlainPreview({ share, text, who }: PreviewProps) {
  const image = attachedImage(share);
  return html`<div class="pv-row">
    <${Avatar} name=${who.name} />
    <div class="pv-body">
      <p class="pv-head">
        <strong class="pv-name">${who.name}</strong>
        <span class="pv-handle">${who.handle} · now</span>
      </p>
      <${RichText} platform=${share.platform} text=${text} />
      ${image && html`<${MediaImage} share=${share} image=${image} className="pv-media" />`}
    </div>
  </div>`;
}

/** `account`: the channel's account where the channel list is not at hand. */
export function Preview({
  share,
  article,
  text,
  account,
}: {
  share: Share;
  article: Article;
  text: string;
  account: string;
}) {
  const app = useContext(AppContext);
  const platform = share.platform;
  const channel = app?.channels.find((c) => c.id === share.channelId);
  const who = accountOf(platform, channel, account);
  const linkless = !share.url && !share.card && !article.url;
  const Shown = linkless ? PlainPreview : PREVIEWS[platform];
  return html`<figure class=${`pv pv-${platform}`}>
    <figcaption class="visually-hidden">How the post looks on ${NETWORK_NAMES[platform]}</figcaption>
    <${Shown} share=${share} article=${article} text=${text} who=${who} />
  </figure>`;
}
