/**
 * A Bluesky session (its accessJwt and refreshJwt) is a credential: it is kept in the
 * channel's secret, as `session` beside the app password, not in the channel state item.
 * This wraps the channel state store so the publisher's reads and writes of `session`
 * go to the secret; a session an older version left in the state item is still read
 * until the first write moves it. Credentials from the environment or a sandbox account
 * cannot be written: their session stays in the state item as before.
 */
import type { ChannelHealth, ChannelState, ChannelStateStore } from '../domain/ports';

type Credentials = {
  find(channel: { id: string; platform: 'bluesky' }): Promise<{ origin: string; value: unknown }>;
  put(channelId: string, value: unknown): Promise<void>;
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export class SessionInSecret implements ChannelStateStore {
  constructor(
    private readonly state: ChannelStateStore,
    private readonly credentials: Credentials,
  ) {}

  /** Only Bluesky keeps sessions; the secret is read only where one may be. */
  private async stored(channelId: string): Promise<Record<string, unknown> | undefined> {
    const found = await this.credentials.find({ id: channelId, platform: 'bluesky' });
    return found.origin === 'stored' && isRecord(found.value) ? found.value : undefined;
  }

  async get(channelId: string): Promise<ChannelState> {
    const state = await this.state.get(channelId);
    const secret = await this.stored(channelId).catch(() => undefined);
    const session = secret?.session;
    return typeof session === 'string' ? { ...state, session } : state;
  }

  async saveSession(channelId: string, session: string): Promise<void> {
    const secret = await this.stored(channelId);
    if (!secret) {
      await this.state.saveSession(channelId, session);
      return;
    }
    await this.credentials.put(channelId, { ...secret, session });
  }

  rateLimitedUntil(channelId: string, until: string): Promise<void> {
    return this.state.rateLimitedUntil(channelId, until);
  }

  saveHealth(channelId: string, health: ChannelHealth): Promise<void> {
    return this.state.saveHealth(channelId, health);
  }
}
