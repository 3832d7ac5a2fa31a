/**
 * Where a channel's credentials come from: `CRIER_CHANNEL_CREDENTIALS_<CHANNEL_ID>` (JSON;
 * the id upper-cased, dashes as underscores) locally, or the Secrets Manager secret
 * `<CRIER_CHANNEL_SECRET_PREFIX><channelId>` in AWS. Values are cached for a few minutes
 * so a rotated secret is picked up without a deploy. The local runtime also names its
 * sandbox account per network (`CRIER_SANDBOX_CREDENTIALS_<PLATFORM>`), so a channel made
 * while it runs, without credentials of its own, posts to its network's sandbox.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Platform } from '../domain/platform';
import type { CredentialsProvider } from '../domain/ports';

const CACHE_MS = 5 * 60_000;

export const credentialsEnvName = (channelId: string) =>
  `CRIER_CHANNEL_CREDENTIALS_${channelId.toUpperCase().replace(/-/g, '_')}`;

export const sandboxCredentialsEnvName = (platform: Platform) =>
  `CRIER_SANDBOX_CREDENTIALS_${platform.toUpperCase()}`;

export class ChannelCredentials implements CredentialsProvider {
  private client: SecretsManagerClient | undefined;
  private readonly cache = new Map<string, { value: unknown; until: number }>();

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  async get({ id: channelId, platform }: { id: string; platform: Platform }): Promise<unknown> {
    const inline = this.env[credentialsEnvName(channelId)];
    if (inline) return parse(inline, credentialsEnvName(channelId));
    const prefix = this.env.CRIER_CHANNEL_SECRET_PREFIX;
    if (!prefix) {
      // Set by the local runtime only: in AWS the prefix is always there.
      const sandbox = this.env[sandboxCredentialsEnvName(platform)];
      return sandbox ? parse(sandbox, sandboxCredentialsEnvName(platform)) : undefined;
    }
    const cached = this.cache.get(channelId);
    if (cached && cached.until > Date.now()) return cached.value;
    this.client ??= new SecretsManagerClient({});
    const result = await this.client.send(
      new GetSecretValueCommand({ SecretId: `${prefix}${channelId}` }),
    );
    const value = result.SecretString
      ? parse(result.SecretString, `the secret of channel ${channelId}`)
      : undefined;
    this.cache.set(channelId, { value, until: Date.now() + CACHE_MS });
    return value;
  }
}

function parse(text: string, origin: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Never echo the text: it is a secret.
    throw new Error(`${origin} is not valid JSON`);
  }
}
