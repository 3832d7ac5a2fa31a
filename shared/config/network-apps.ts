/**
 * Each network's app: the OAuth client a deployment registers once with the network
 * (docs/deploying.md), through which admins connect channels and tokens are refreshed.
 * Locally `CRIER_APP_<PLATFORM>` (JSON; the local stack sets it to its sandbox's app); in
 * AWS the Secrets Manager secret `<CRIER_APP_SECRET_PREFIX><platform>`. The client secret
 * is a secret: it is never logged, returned or put in an error.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import type { Platform } from '../domain/platform';

const CACHE_MS = 5 * 60_000;

export const networkAppSchema = z.object({
  clientId: z.string().min(1),
  /** absent for a public client (PKCE only) */
  clientSecret: z.string().min(1).optional(),
  /** the network's own endpoints; only the local sandboxes (and tests) set them */
  authorizeUrl: z.url({ protocol: /^https?$/ }).optional(),
  tokenUrl: z.url({ protocol: /^https?$/ }).optional(),
});
export type NetworkApp = z.output<typeof networkAppSchema>;

export const networkAppEnvName = (platform: Platform) => `CRIER_APP_${platform.toUpperCase()}`;

export class NetworkApps {
  private client: SecretsManagerClient | undefined;
  private readonly cache = new Map<Platform, { value: NetworkApp | undefined; until: number }>();

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  /** The network's app, or undefined where the deployment has none for it. */
  async get(platform: Platform): Promise<NetworkApp | undefined> {
    const inline = this.env[networkAppEnvName(platform)];
    if (inline) return parse(inline, networkAppEnvName(platform));
    const prefix = this.env.CRIER_APP_SECRET_PREFIX;
    if (!prefix) return undefined;
    const cached = this.cache.get(platform);
    if (cached && cached.until > Date.now()) return cached.value;
    this.client ??= new SecretsManagerClient({});
    const result = await this.client.send(
      new GetSecretValueCommand({ SecretId: `${prefix}${platform}` }),
    );
    const text = result.SecretString?.trim();
    // The stack seeds each app's secret with `{}`: not configured yet.
    const value = text && text !== '{}' ? parse(text, `the ${platform} app`) : undefined;
    this.cache.set(platform, { value, until: Date.now() + CACHE_MS });
    return value;
  }
}

function parse(text: string, origin: string): NetworkApp {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // Never echo the text: it holds the client secret.
    throw new Error(`${origin} is not valid JSON`);
  }
  const parsed = networkAppSchema.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
    throw new Error(`${origin} is not a network app: check ${fields}`);
  }
  return parsed.data;
}
