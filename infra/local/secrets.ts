/**
 * The local runtime's secrets: each from the environment when set, otherwise generated
 * once and kept in `<dataDir>/secrets.json` (mode 0600), so a CMS configured with them
 * keeps working across restarts.
 */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { ENV } from '../../shared/resources';

export type SecretName = 'webhookSecret' | 'ghostSecret' | 'syndicationSecret' | 'editorToken';

/** `environment`, or the path of the file that keeps it. */
export type SecretSource = 'environment' | (string & {});

export type LocalSecret = { value: string; source: SecretSource };

export type LocalSecrets = Record<SecretName, LocalSecret>;

const GENERATORS: Record<SecretName, () => string> = {
  // Standard Webhooks: whsec_ and the base64 of the key bytes.
  webhookSecret: () => `whsec_${randomBytes(32).toString('base64')}`,
  ghostSecret: () => randomBytes(32).toString('hex'),
  syndicationSecret: () => `whsec_${randomBytes(32).toString('base64')}`,
  editorToken: () => randomBytes(32).toString('base64url'),
};

const ENV_NAMES = {
  webhookSecret: ENV.webhookSecret,
  ghostSecret: ENV.ghostSecret,
  syndicationSecret: ENV.syndicationSecret,
  editorToken: ENV.editorToken,
} as const satisfies Record<SecretName, string>;

/** The file uses the environment variables' names, so it reads like the settings it replaces. */
const SecretsFile = z.object({
  [ENV.webhookSecret]: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/)
    .optional(),
  [ENV.ghostSecret]: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  [ENV.syndicationSecret]: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/)
    .optional(),
  [ENV.editorToken]: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/)
    .optional(),
});

export const SECRETS_FILE_NAME = 'secrets.json';

function readSecretsFile(path: string): z.output<typeof SecretsFile> {
  if (!existsSync(path)) return {};
  // A file others can read is tightened rather than trusted as it is.
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path} is not valid JSON; fix it or delete it to generate new secrets`, {
      cause: error,
    });
  }
  const parsed = SecretsFile.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new Error(`${path} holds malformed secrets (${fields}); fix or delete them`);
  }
  return parsed.data;
}

/** What `<dataDir>/secrets.json` holds, by environment variable name; undefined when absent. */
export function readStoredSecrets(dataDir: string): Partial<Record<string, string>> | undefined {
  const path = join(dataDir, SECRETS_FILE_NAME);
  return existsSync(path) ? readSecretsFile(path) : undefined;
}

/**
 * Reads each secret from `env`, else from the file, else generates it and writes the
 * file. Never logs a value.
 */
export function loadSecrets(
  dataDir: string,
  env: Record<string, string | undefined> = process.env,
): LocalSecrets {
  const path = join(dataDir, SECRETS_FILE_NAME);
  const stored = readSecretsFile(path);
  const next = { ...stored };
  let changed = false;
  const resolve = (name: SecretName): LocalSecret => {
    const envName = ENV_NAMES[name];
    const fromEnv = env[envName];
    if (fromEnv) return { value: fromEnv, source: 'environment' };
    let value = stored[envName];
    if (!value) {
      value = GENERATORS[name]();
      next[envName] = value;
      changed = true;
    }
    return { value, source: path };
  };
  const secrets: LocalSecrets = {
    webhookSecret: resolve('webhookSecret'),
    ghostSecret: resolve('ghostSecret'),
    syndicationSecret: resolve('syndicationSecret'),
    editorToken: resolve('editorToken'),
  };
  if (changed) {
    mkdirSync(dataDir, { recursive: true });
    const pending = `${path}.${process.pid}.tmp`;
    writeFileSync(pending, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
    renameSync(pending, path);
  }
  return secrets;
}
