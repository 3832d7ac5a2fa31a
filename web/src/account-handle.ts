/** How an account shows on its network, apart from the views so code without the DOM can use it. */
import type { Platform } from '../../shared/domain/platform';

/** How the account shows on the network: `@name` where handles are, a name elsewhere. */
export function accountHandle(platform: Platform, account: string): string {
  const bare = account.trim().replace(/^@/, '');
  if (['x', 'bluesky', 'mastodon', 'telegram'].includes(platform)) return `@${bare}`;
  return bare;
}
