/**
 * Where a channel's credentials come from, in this order: `CRIER_CHANNEL_CREDENTIALS_<ID>`
 * (JSON; the id upper-cased, dashes as underscores), which nothing overwrites; then the
 * channel's stored secret (Secrets Manager `<CRIER_CHANNEL_SECRET_PREFIX><channelId>` in
 * AWS, the data folder locally); then, locally only and where the stack does not connect
 * its channels through the sandboxes' sign-in, the network's sandbox account
 * (`CRIER_SANDBOX_CREDENTIALS_<PLATFORM>`), so a channel made while the stack runs posts
 * to its sandbox. Stored values are cached for a few minutes so a secret rotated
 * elsewhere is picked up without a deploy; a write through `put` shows at once here.
 */
import type { Platform } from '../domain/platform';
import type { ChannelSecrets, CredentialsProvider } from '../domain/ports';
import { channelSecretsFrom, parseSecret } from './channel-secrets';

const CACHE_MS = 5 * 60_000;

export const credentialsEnvName = (channelId: string) =>
  `CRIER_CHANNEL_CREDENTIALS_${channelId.toUpperCase().replace(/-/g, '_')}`;

export const sandboxCredentialsEnvName = (platform: Platform) =>
  `CRIER_SANDBOX_CREDENTIALS_${platform.toUpperCase()}`;

/** Where a channel's credentials were found. */
export type CredentialsOrigin = 'environment' | 'stored' | 'sandbox' | 'none';

export class EnvironmentCredentialsError extends Error {
  override readonly name = 'EnvironmentCredentialsError';
}

export class ChannelCredentials implements CredentialsProvider {
  private readonly cache = new Map<string, { value: unknown; until: number }>();
  private readonly secrets: ChannelSecrets | undefined;

  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    secrets?: ChannelSecrets,
  ) {
    this.secrets = secrets ?? channelSecretsFrom(env);
  }

  async get(channel: { id: string; platform: Platform }): Promise<unknown> {
    return (await this.find(channel)).value;
  }

  /** The credentials and where they came from (never logged: only `origin` may be). */
  async find(channel: {
    id: string;
    platform: Platform;
  }): Promise<{ origin: CredentialsOrigin; value: unknown }> {
    const inline = this.env[credentialsEnvName(channel.id)];
    if (inline) {
      return { origin: 'environment', value: parseSecret(inline, credentialsEnvName(channel.id)) };
    }
    const stored = await this.stored(channel.id);
    if (stored !== undefined) return { origin: 'stored', value: stored };
    // Only the local runtime names sandbox accounts: in AWS the variables are never set.
    const sandbox = this.env[sandboxCredentialsEnvName(channel.platform)];
    if (sandbox) {
      return {
        origin: 'sandbox',
        value: parseSecret(sandbox, sandboxCredentialsEnvName(channel.platform)),
      };
    }
    return { origin: 'none', value: undefined };
  }

  /** True when the environment sets the channel's credentials: nothing may replace them. */
  fromEnvironment(channelId: string): boolean {
    return Boolean(this.env[credentialsEnvName(channelId)]);
  }

  /** Drops the cached value, so the next read asks the store (another process may have written). */
  forget(channelId: string): void {
    this.cache.delete(channelId);
  }

  /** Stores new credentials for the channel; this process reads them from now on. */
  async put(channelId: string, value: unknown): Promise<void> {
    if (this.fromEnvironment(channelId)) {
      throw new EnvironmentCredentialsError(
        `Channel ${channelId} takes its credentials from ${credentialsEnvName(channelId)}`,
      );
    }
    if (!this.secrets) throw new Error('No channel secret store is configured');
    this.cache.delete(channelId);
    await this.secrets.put(channelId, value);
    this.cache.set(channelId, { value, until: Date.now() + CACHE_MS });
  }

  private async stored(channelId: string): Promise<unknown> {
    if (!this.secrets) return undefined;
    const cached = this.cache.get(channelId);
    if (cached && cached.until > Date.now()) return cached.value;
    const value = await this.secrets.get(channelId);
    this.cache.set(channelId, { value, until: Date.now() + CACHE_MS });
    return value;
  }
}
