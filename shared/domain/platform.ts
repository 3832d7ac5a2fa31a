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

/** Each network as messages to editors name it. */
export const NETWORK_NAMES: Record<Platform, string> = {
  x: 'X',
  bluesky: 'Bluesky',
  mastodon: 'Mastodon',
  threads: 'Threads',
  linkedin: 'LinkedIn',
  facebook: 'Facebook',
  instagram: 'Instagram',
  telegram: 'Telegram',
};

/**
 * Networks that post in steps (create a media container, then publish it): Crier
 * prepares the container as soon as the share is queued, so only the last step runs
 * at dueAt.
 */
export const MULTI_STEP_PLATFORMS: readonly Platform[] = ['threads', 'instagram'];

/**
 * Networks where a share can go out as a thread: the first post, then each part as a
 * reply to the one before. A channel elsewhere cannot enable `thread`.
 */
export const THREAD_PLATFORMS: readonly Platform[] = ['x', 'bluesky', 'mastodon', 'threads'];
