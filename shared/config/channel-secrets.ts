/**
 * The channel secret stores: one Secrets Manager secret per channel in AWS
 * (`<CRIER_CHANNEL_SECRET_PREFIX><channelId>`), one file per channel in the local data
 * folder (`<CRIER_CHANNEL_SECRETS_DIR>/<channelId>.json`, readable by its owner only).
 */
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { ChannelSecrets } from '../domain/ports';

/** Never echoes the text: it is a secret. */
export function parseSecret(text: string, origin: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${origin} is not valid JSON`);
  }
}

const hasName = (error: unknown, name: string) => error instanceof Error && error.name === name;

export class SecretsManagerChannelSecrets implements ChannelSecrets {
  constructor(
    private readonly prefix: string,
    private readonly client: SecretsManagerClient = new SecretsManagerClient({}),
  ) {}

  private name(channelId: string): string {
    return `${this.prefix}${channelId}`;
  }

  async get(channelId: string): Promise<unknown> {
    try {
      const result = await this.client.send(
        new GetSecretValueCommand({ SecretId: this.name(channelId) }),
      );
      if (!result.SecretString) return undefined;
      const value = parseSecret(result.SecretString, `the secret of channel ${channelId}`);
      // The stack makes a secret per configured channel holding `{}` until someone fills it.
      const empty = value && typeof value === 'object' && Object.keys(value).length === 0;
      return empty ? undefined : value;
    } catch (error) {
      if (hasName(error, 'ResourceNotFoundException')) return undefined;
      throw error;
    }
  }

  /** A new version of the channel's secret, made the first time (with the account's default KMS key). */
  async put(channelId: string, value: unknown): Promise<void> {
    const SecretString = JSON.stringify(value);
    const putValue = () =>
      this.client.send(new PutSecretValueCommand({ SecretId: this.name(channelId), SecretString }));
    try {
      await putValue();
    } catch (error) {
      if (!hasName(error, 'ResourceNotFoundException')) throw error;
      try {
        await this.client.send(
          new CreateSecretCommand({
            Name: this.name(channelId),
            Description: `Credentials of Crier channel ${channelId}, JSON`,
            SecretString,
          }),
        );
      } catch (createError) {
        // Another request made it in between: this value goes in as its next version.
        if (!hasName(createError, 'ResourceExistsException')) throw createError;
        await putValue();
      }
    }
  }
}

export class FileChannelSecrets implements ChannelSecrets {
  constructor(private readonly dir: string) {}

  private file(channelId: string): string {
    // Channel ids are lowercase letters, digits and dashes; refuse anything that could escape.
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(channelId)) throw new Error('Invalid channel id');
    return join(this.dir, `${channelId}.json`);
  }

  async get(channelId: string): Promise<unknown> {
    let text: string;
    try {
      text = await readFile(this.file(channelId), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    return parseSecret(text, `the stored credentials of channel ${channelId}`);
  }

  /** Written to a temporary file first and renamed, so a reader never sees half a file. */
  async put(channelId: string, value: unknown): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const target = this.file(channelId);
    const temporary = `${target}.${randomUUID()}.tmp`;
    await writeFile(temporary, JSON.stringify(value), { mode: 0o600 });
    await chmod(temporary, 0o600);
    await rename(temporary, target);
  }
}

/** The variable the local runtime sets to the folder of its channel secret files. */
export const CHANNEL_SECRETS_DIR_ENV = 'CRIER_CHANNEL_SECRETS_DIR';

/** Secrets Manager where the prefix is set (AWS), the data folder locally, else none. */
export function channelSecretsFrom(env: NodeJS.ProcessEnv): ChannelSecrets | undefined {
  const prefix = env.CRIER_CHANNEL_SECRET_PREFIX;
  if (prefix) return new SecretsManagerChannelSecrets(prefix);
  const dir = env[CHANNEL_SECRETS_DIR_ENV];
  return dir ? new FileChannelSecrets(dir) : undefined;
}

/**
 * Where a consent's candidates' tokens wait while the admin picks one: beside the channels'
 * secrets, one entry per channel (`<prefix>pending/<channelId>` in Secrets Manager,
 * `pending/<channelId>.json` in the data folder). A channel id has no `/`, so no entry is
 * ever a channel's own; the functions that may read channel secrets may read these.
 */
export function pendingSecretsFrom(env: NodeJS.ProcessEnv): ChannelSecrets | undefined {
  const prefix = env.CRIER_CHANNEL_SECRET_PREFIX;
  if (prefix) return new SecretsManagerChannelSecrets(`${prefix}pending/`);
  const dir = env[CHANNEL_SECRETS_DIR_ENV];
  return dir ? new FileChannelSecrets(join(dir, 'pending')) : undefined;
}
