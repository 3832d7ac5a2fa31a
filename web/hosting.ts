/**
 * How the editor UI is served, the same locally and from CloudFront: how long each kind
 * of file may be kept, and what the page may load.
 */

export const CACHE_CONTROL = {
  /** index.html and config.json: asked again every time, so a deploy shows at once */
  page: 'no-cache',
  /** hashed assets never change under their name */
  asset: 'public, max-age=31536000, immutable',
} as const;

/**
 * The page's own script and styles only; images from the link cards' sites, and the
 * stored ones the previews fetch from the API and show through `blob:` object URLs; API
 * calls to its own origin, plus the sign-in service's token endpoint where there is one.
 */
export function contentSecurityPolicy(options: { connect?: string[]; images?: string[] } = {}) {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    // blob: the preview of an image file the editor picked, from the browser's own memory.
    ['img-src', "'self'", 'data:', 'blob:', 'https:', ...(options.images ?? [])].join(' '),
    ['connect-src', "'self'", ...(options.connect ?? [])].join(' '),
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ');
}
