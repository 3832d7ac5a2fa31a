import { describe, expect, it } from 'vitest';
import { ChannelCredentials } from '../../../shared/config/credentials';
import { SessionInSecret } from '../../../shared/config/session-in-secret';
import type { ChannelSecrets } from '../../../shared/domain/ports';
import { InMemoryChannelStateStore } from '../../support/in-memory';

class MapSecrets implements ChannelSecrets {
  readonly values = new Map<string, unknown>();
  async get(channelId: string) {
    return structuredClone(this.values.get(channelId));
  }
  async put(channelId: string, value: unknown) {
    this.values.set(channelId, structuredClone(value));
  }
}

const PASSWORD = { service: 'http://127.0.0.1:9', identifier: 'desk.test', password: 'app-pass' };

describe('SessionInSecret', () => {
  it("keeps a Bluesky session in the channel's secret beside its password, not in the state item", async () => {
    const secrets = new MapSecrets();
    secrets.values.set('bsky-desk', PASSWORD);
    const state = new InMemoryChannelStateStore();
    const store = new SessionInSecret(state, new ChannelCredentials({}, secrets));
    await store.saveSession('bsky-desk', '{"accessJwt":"a2","refreshJwt":"r2"}');
    expect(secrets.values.get('bsky-desk')).toEqual({
      ...PASSWORD,
      session: '{"accessJwt":"a2","refreshJwt":"r2"}',
    });
    expect((await state.get('bsky-desk')).session).toBeUndefined();
    expect((await store.get('bsky-desk')).session).toBe('{"accessJwt":"a2","refreshJwt":"r2"}');
  });

  it('still reads a session an older version left in the state item, until the first write moves it', async () => {
    const secrets = new MapSecrets();
    secrets.values.set('bsky-desk', PASSWORD);
    const state = new InMemoryChannelStateStore();
    await state.saveSession('bsky-desk', 'old-session');
    await state.rateLimitedUntil('bsky-desk', '2026-03-02T10:00:00.000Z');
    const store = new SessionInSecret(state, new ChannelCredentials({}, secrets));
    expect(await store.get('bsky-desk')).toMatchObject({
      session: 'old-session',
      rateLimitedUntil: '2026-03-02T10:00:00.000Z',
    });
    await store.saveSession('bsky-desk', 'new-session');
    expect((await store.get('bsky-desk')).session).toBe('new-session');
  });

  it('keeps the session in the state item where the credentials cannot be written', async () => {
    const env = { CRIER_CHANNEL_CREDENTIALS_BSKY_DESK: JSON.stringify(PASSWORD) };
    const state = new InMemoryChannelStateStore();
    const store = new SessionInSecret(state, new ChannelCredentials(env, new MapSecrets()));
    await store.saveSession('bsky-desk', 'env-session');
    expect((await state.get('bsky-desk')).session).toBe('env-session');
    expect((await store.get('bsky-desk')).session).toBe('env-session');
  });
});
