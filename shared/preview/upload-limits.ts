/** What an upload may be (shared/preview/upload.ts checks it): no image library here. */

/**
 * The largest upload: API Gateway hands Lambda at most 6 MB of request, and a binary
 * body arrives base64-encoded (4 bytes for every 3), so 4 MiB is what fits with room.
 */
export const MAX_UPLOAD_BYTES = 4 * 1024 * 1024;

/** The types an upload may be sent as, and the format its bytes must then be. */
export const UPLOAD_TYPES = {
  'image/jpeg': 'jpeg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
} as const;
export type UploadType = keyof typeof UPLOAD_TYPES;

/**
 * Sides an upload may have. Below 200 px a photo is a thumbnail no network shows well
 * (Threads and Instagram want at least 320 px wide, and get it enlarged); over 12,000 px
 * or a strip longer than 10:1, no network shows it whole (Threads crops past 10:1).
 */
export const UPLOAD_BOUNDS = { minSide: 200, maxSide: 12_000, maxAspect: 10 } as const;
