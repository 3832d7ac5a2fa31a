/**
 * A share's image and alt text: the article's image, the drawn share card, an upload of
 * the editor's own (sent to POST /api/media as soon as it is picked) or none, each with a
 * thumbnail of what it gives; and the alt text with a live count against the network's
 * limit, counted by the same code as the API (shared/domain/share-image.ts).
 */
import { html } from 'htm/preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { ALT_TEXT_RULES, altTextLength } from '../../../shared/domain/alt-text';
import { CARD_THUMBNAIL } from '../../../shared/preview/card-rules';
import { ApiError, type ImageChange, type UploadedImage } from '../api';
import { attachedImage, isWebUrl, linkCard } from '../preview-model';
import { type Article, type Share, shareKey } from '../schemas';
import { AppContext, ErrorNotice, inputValue, NETWORK_NAMES } from './common';
import { PreviewImage, type PreviewImageSource } from './preview-image';

type Source = 'article' | 'card' | 'upload' | 'none';

const LABELS: Record<Source, string> = {
  article: 'Article image',
  card: 'Share card',
  upload: 'Upload another',
  none: 'No image',
};

const NOW_LABELS: Record<Source, string> = {
  article: "the article's image",
  card: 'the share card',
  upload: 'an uploaded image',
  none: 'no image',
};

/**
 * The image the share carries now: a stored one by its editor API path (loaded with the
 * token, never by a bucket link), and its alt text.
 */
function currentImage(share: Share, article: Article): { image?: PreviewImageSource; alt: string } {
  const media = share.media?.[0];
  if (media) return { image: attachedImage(share), alt: media.alt ?? '' };
  const card = share.card;
  if (CARD_THUMBNAIL.includes(share.platform) && card?.imageUrl) {
    return { image: linkCard(share, article).image, alt: card.imageAlt ?? '' };
  }
  return { alt: '' };
}

/** What the share carries now, in words, where its picture cannot be shown. */
function nowWords(share: Share): string {
  if (share.media?.length) return 'Stored image';
  const thumbnail = CARD_THUMBNAIL.includes(share.platform);
  if (thumbnail) return share.card?.imageUrl ? 'Stored image' : 'No image';
  // No picture attached: the network shows the link's card, read from the page.
  return share.card ? 'Link card' : 'No image';
}

function Thumb({ source, article, file }: { source: Source; article: Article; file?: string }) {
  if (source === 'article') {
    return isWebUrl(article.imageUrl)
      ? html`<${PreviewImage}
          className="ip-thumb"
          image=${{ url: article.imageUrl, alt: '' }}
          unloadable="Article image (not loaded here)"
        />`
      : html`<span class="ip-thumb ip-thumb-empty">The article has no image</span>`;
  }
  if (source === 'card') {
    return html`<span class="ip-thumb ip-thumb-card" aria-hidden="true">${article.title}</span>`;
  }
  if (source === 'upload') {
    return file
      ? html`<img class="ip-thumb" src=${file} alt="" />`
      : html`<span class="ip-thumb ip-thumb-empty">Pick a file</span>`;
  }
  return html`<span class="ip-thumb ip-thumb-empty">No image</span>`;
}

export function ImagePicker({
  article,
  share,
  onShare,
  onConflict,
}: {
  article: Article;
  share: Share;
  onShare: (share: Share) => void;
  onConflict: () => void;
}) {
  const app = useContext(AppContext);
  const id = shareKey(share);
  const chosen = share.edited?.image?.source as Source | undefined;
  const now = currentImage(share, article);
  const storedAlt = share.edited?.imageAlt ?? now.alt;
  const [source, setSource] = useState<Source | undefined>(chosen);
  const [alt, setAlt] = useState(storedAlt);
  const [upload, setUpload] = useState<UploadedImage>();
  const [file, setFile] = useState<{ name: string; url: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState('');

  // A newer version from the API: the untouched fields follow it.
  useEffect(() => {
    if (source === chosen || source === undefined) setSource(chosen);
    setAlt(share.edited?.imageAlt ?? currentImage(share, article).alt);
  }, [share.version]);
  useEffect(() => () => file && URL.revokeObjectURL(file.url), [file]);

  if (!app) return null;
  const rule = ALT_TEXT_RULES[share.platform];
  const used = altTextLength(share.platform, alt.trim());
  const over = used > rule.limit;
  const network = NETWORK_NAMES[share.platform];
  const altChanged = alt !== storedAlt;
  const sourceChanged =
    source !== undefined &&
    (source !== chosen ||
      (source === 'upload' && upload !== undefined && upload.id !== share.edited?.image?.upload));
  const ready = source !== 'upload' || upload !== undefined || chosen === 'upload';
  const dirty = (sourceChanged || altChanged) && ready;

  const pick = async (event: Event) => {
    const input = event.currentTarget as HTMLInputElement;
    const picked = input.files?.[0];
    if (!picked) return;
    setFile({ name: picked.name, url: URL.createObjectURL(picked) });
    setUpload(undefined);
    setError(undefined);
    setNotice('');
    setBusy(true);
    try {
      setUpload(await app.api.uploadMedia(picked, article.siteId));
      setNotice(`Uploaded ${picked.name}: save to use it.`);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const save = async (event: Event) => {
    event.preventDefault();
    if (!dirty || busy || over) return;
    const change: ImageChange = {};
    if (sourceChanged && source) {
      change.image =
        source === 'upload' && upload
          ? { source, upload: upload.id }
          : { source: source as 'card' };
    }
    if (altChanged) change.imageAlt = alt.trim() ? alt : null;
    setBusy(true);
    setError(undefined);
    setNotice('');
    try {
      const updated = await app.api.editShare(article.id, id, change);
      onShare(updated);
      setNotice('Image saved.');
    } catch (caught) {
      setError(caught);
      if (caught instanceof ApiError && caught.status === 409) onConflict();
    } finally {
      setBusy(false);
    }
  };

  const sources: Source[] = ['article', 'card', 'upload', 'none'];
  return html`<form class="image-picker" onSubmit=${save} aria-label=${`Image of the ${network} post`}>
    <fieldset>
      <legend>Image</legend>
      <div class="ip-now">
        ${
          now.image
            ? html`<${PreviewImage} className="ip-thumb" image=${now.image} unloadable="Stored image" />`
            : html`<span class="ip-thumb ip-thumb-empty">${nowWords(share)}</span>`
        }
        <span>Now: ${chosen ? NOW_LABELS[chosen] : 'as composed'}</span>
      </div>
      <div class="ip-choices">
        ${sources.map((value) => {
          const disabled = value === 'none' && share.platform === 'instagram';
          return html`<label class=${`ip-choice${source === value ? ' ip-chosen' : ''}`}>
            <input
              type="radio"
              name=${`image-${id}`}
              value=${value}
              checked=${source === value}
              disabled=${disabled}
              onChange=${() => setSource(value)}
            />
            <${Thumb} source=${value} article=${article} file=${file?.url} />
            <span>${LABELS[value]}</span>
            ${disabled ? html`<small>Instagram needs an image</small>` : ''}
          </label>`;
        })}
      </div>
      ${
        source === 'upload' &&
        html`<div class="ip-upload">
          <label for=${`file-${id}`}>Image file (JPEG, PNG, WebP or GIF, up to 4 MiB)</label>
          <input
            id=${`file-${id}`}
            type="file"
            accept="image/jpeg,image/png,image/webp,image/gif"
            onChange=${pick}
          />
          ${
            file &&
            html`<p class="ip-file">
              ${file.name}${upload ? ` · ${upload.width}×${upload.height}` : busy ? ' · uploading…' : ''}
            </p>`
          }
        </div>`
      }
      ${
        share.platform === 'facebook' &&
        html`<p class="notice">
          Facebook posts this share as a link: it shows the card Facebook reads from the
          article's page, not the picture chosen here.
        </p>`
      }
      <label for=${`alt-${id}`}>Alt text</label>
      <textarea
        id=${`alt-${id}`}
        rows="3"
        value=${alt}
        aria-describedby=${`alt-count-${id}`}
        aria-invalid=${over ? 'true' : 'false'}
        onInput=${(e: Event) => setAlt(inputValue(e))}
      ></textarea>
      <p id=${`alt-count-${id}`} class=${over ? 'ip-count ip-count-over' : 'ip-count'}>
        <strong>${used.toLocaleString()}</strong> / ${rule.limit.toLocaleString()} ${rule.unit}
        ${rule.sent ? '' : html` — ${rule.note}: kept, not sent`}
      </p>
      <div class="buttons">
        <button type="submit" class="primary" aria-disabled=${String(!dirty || busy || over)}>
          Save image
        </button>
      </div>
      <p class="ip-status" aria-live="polite">${busy ? 'Working…' : notice}</p>
      ${error !== undefined && html`<${ErrorNotice} error=${error} />`}
    </fieldset>
  </form>`;
}
