/**
 * A share's image as the previews show it. An image Crier stored is fetched from the
 * editor API with the editor's token and shown through an object URL, revoked once the
 * image is no longer shown; an article's own image on the publisher's site is loaded as
 * it is. Links to the media bucket are never used.
 */
import { html } from 'htm/preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api';
import type { PreviewImageSource } from '../preview-model';
import { AppContext } from './common';

export type { PreviewImageSource } from '../preview-model';

/** `failed`: the API's status when the image could not be fetched (0: no answer). */
type Loaded = { path?: string; src?: string; failed: number | false };

/** The object URL of a stored image fetched with the token, while it is shown. */
function useStoredImage(path: string | undefined): Loaded {
  const app = useContext(AppContext);
  const [loaded, setLoaded] = useState<Loaded>({ failed: false });
  useEffect(() => {
    if (!path || !app) return;
    const controller = new AbortController();
    let objectUrl: string | undefined;
    app.api.getImage(path, controller.signal).then(
      (blob) => {
        if (controller.signal.aborted) return;
        objectUrl = URL.createObjectURL(blob);
        setLoaded({ path, src: objectUrl, failed: false });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setLoaded({ path, failed: error instanceof ApiError ? error.status : 0 });
      },
    );
    return () => {
      controller.abort();
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [path, app?.api]);
  // What was loaded for another path is not shown for this one.
  return loaded.path === path ? loaded : { failed: false };
}

/** Why a stored image is not shown, by the API's answer. */
function storedFailure(status: number): string {
  if (status === 404) return 'The stored image is gone: it is made again when the post goes out';
  if (status === 413) return 'The image is too large to show here; it is posted as it is';
  return 'The image could not be loaded; reload the page to try again';
}

function Placeholder({
  className,
  label,
  text,
}: {
  className: string;
  label: string;
  text: string;
}) {
  return html`<div class=${`${className} pv-noimage`} role="img" aria-label=${label}>
    <span aria-hidden="true">${text}</span>
  </div>`;
}

/**
 * The image, or a box that says why there is none: still loading, not stored any more,
 * or a public image this browser cannot load (`unloadable` says what the network does).
 */
export function PreviewImage({
  image,
  className,
  unloadable,
}: {
  image?: PreviewImageSource;
  className: string;
  /** what the box says when a public image does not load here */
  unloadable: string;
}) {
  const stored = useStoredImage(image?.path);
  const [failedUrl, setFailedUrl] = useState<string>();
  if (!image)
    return html`<${Placeholder} className=${className} label="No image" text="No image" />`;
  if (image.path) {
    if (stored.src) {
      return html`<img class=${className} src=${stored.src} alt=${image.alt} />`;
    }
    return stored.failed !== false
      ? html`<${Placeholder}
          className=${className}
          label=${image.alt || 'Stored image'}
          text=${storedFailure(stored.failed)}
        />`
      : html`<${Placeholder} className=${`${className} pv-loading`} label="Loading the image" text="Loading…" />`;
  }
  if (!image.url || failedUrl === image.url) {
    return html`<${Placeholder} className=${className} label=${image.alt || unloadable} text=${unloadable} />`;
  }
  const url = image.url;
  return html`<img
    class=${className}
    src=${url}
    alt=${image.alt}
    referrerpolicy="no-referrer"
    onError=${() => setFailedUrl(url)}
  />`;
}
