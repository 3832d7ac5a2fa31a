/** The networks Crier posts to; the contract's `platform` values. */
export const PLATFORMS = [
  'x',
  'bluesky',
  'mastodon',
  'threads',
  'linkedin',
  'facebook',
  'instagram',
  'telegram',
] as const;

export type Platform = (typeof PLATFORMS)[number];
