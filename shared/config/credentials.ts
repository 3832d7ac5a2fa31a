/**
 * Where a channel's credentials come from: `CRIER_CHANNEL_CREDENTIALS_<CHANNEL_ID>` (JSON;
 * the id upper-cased, dashes as underscores) locally, or the Secrets Manager secret
 * `<CRIER_CHANNEL_SECRET_PREFIX><channelId>` in AWS. Values are cached for a few minutes
 * so a rotated secret is picked up without a deploy.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CredentialsProvider } from '../domain/ports';

const CACHE_MS = 5 * 60_000;

export const credentialsEnvName = (channelId: string) =>
  `CRIER_CHANNEL_CREDENTIALS_${channelId.toUpperCase().replace(/-/g, '_')}`;

export class ChannelCredentials implements CredentialsProvider {
  private client: SecretsManagerClient | undefined;
  private readonly cache = new Map<string, { value: unknown; until: number }>();

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  async get(channelId: string): Promise<unknown> {
    const inline = this.env[credentialsEnvName(channelId)];
    if (inline) return parse(inline, credentialsEnvName(channelId));
    const prefix = this.env.CRIER_CHANNEL_SECRET_PREFIX;
    if (!prefix) return undefined;
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
