/**
 * The network clients and the channels' credentials, apart from index.ts: the clients
 * of every network go only into the bundle of the function that posts.
 */
import { ChannelCredentials } from '../config/credentials';
import type { CredentialsProvider } from '../domain/ports';
import { clientFor } from '../platforms/clients';
import { once } from './index';

export { clientFor };

/** Read per channel when a share is posted; cached a few minutes so a rotation shows. */
export const channelCredentials = once((): CredentialsProvider => new ChannelCredentials());
