/**
 * The channel secret stores: Secrets Manager through the real SDK client against a
 * loopback server speaking its protocol, and the local files in the data folder; and the
 * order ChannelCredentials reads them in.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FileChannelSecrets,
  SecretsManagerChannelSecrets,
} from '../../../shared/config/channel-secrets';
import {
  ChannelCredentials,
  credentialsEnvName,
  EnvironmentCredentialsError,
  sandboxCredentialsEnvName,
} from '../../../shared/config/credentials';
import { type SecretsManagerServer, startSecretsManager } from '../../support/secrets-manager';

const PREFIX = 'crier/test/channel/';
const first = {
  service: 'http://127.0.0.1:1',
  identifier: 'a.test',
  password: 'aaaa-bbbb-cccc-dddd',
};
const second = { ...first, password: 'eeee-ffff-gggg-hhhh' };

describe('Secrets Manager channel secrets', () => {
  let server: SecretsManagerServer;
  let store: SecretsManagerChannelSecrets;

  beforeAll(async () => {
    server = await startSecretsManager();
    const client = new SecretsManagerClient({
      endpoint: server.url,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    store = new SecretsManagerChannelSecrets(PREFIX, client);
  });
  afterAll(() => server.close());

  it('answers undefined for a channel that never had a secret', async () => {
    expect(await store.get('nobody')).toBeUndefined();
    expect(server.calls.at(-1)).toEqual({
      operation: 'GetSecretValue',
      input: { SecretId: `${PREFIX}nobody` },
    });
  });

  it('creates the secret the first time, then puts a new version of it', async () => {
    server.calls.length = 0;
    await store.put('news-bsky', first);
    expect(server.calls.map((c) => c.operation)).toEqual(['PutSecretValue', 'CreateSecret']);
    expect(server.calls[1]?.input).toMatchObject({
      Name: `${PREFIX}news-bsky`,
      SecretString: JSON.stringify(first),
    });
    expect(server.calls[1]?.input).not.toHaveProperty('KmsKeyId');

    server.calls.length = 0;
    await store.put('news-bsky', second);
    expect(server.calls.map((c) => c.operation)).toEqual(['PutSecretValue']);
    expect(server.secrets.get(`${PREFIX}news-bsky`)).toHaveLength(2);
    expect(await store.get('news-bsky')).toEqual(second);
  });

  it('puts a new version when another request made the secret between its two calls', async () => {
    server.calls.length = 0;
    // The other request's CreateSecret lands just before this one's.
    server.beforeNext('CreateSecret', () => server.secrets.set(`${PREFIX}raced`, ['{"a":1}']));
    await store.put('raced', first);
    expect(server.calls.map((c) => c.operation)).toEqual([
      'PutSecretValue',
      'CreateSecret',
      'PutSecretValue',
    ]);
    expect(await store.get('raced')).toEqual(first);
  });

  it('takes the empty object the stack seeds a configured channel with for no credentials', async () => {
    server.secrets.set(`${PREFIX}seeded`, ['{}']);
    expect(await store.get('seeded')).toBeUndefined();
  });

  it('reads through ChannelCredentials, and a write shows at once despite the cache', async () => {
    const credentials = new ChannelCredentials({ CRIER_CHANNEL_SECRET_PREFIX: PREFIX }, store);
    const channel = { id: 'news-bsky', platform: 'bluesky' as const };
    expect(await credentials.find(channel)).toEqual({ origin: 'stored', value: second });
    await credentials.put('news-bsky', first);
    expect(await credentials.get(channel)).toEqual(first);
    // Another writer's change waits for the cache to expire: this process's own does not.
    expect(server.secrets.get(`${PREFIX}news-bsky`)?.at(-1)).toBe(JSON.stringify(first));
  });
});

describe('local channel secret files', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'crier-secrets-')), 'channel-secrets');
  const store = new FileChannelSecrets(dir);

  it('writes one owner-only file per channel, atomically, and reads it back', async () => {
    expect(await store.get('news-x')).toBeUndefined();
    await store.put('news-x', first);
    await store.put('news-x', second);
    const file = join(dir, 'news-x.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(second);
    // No temporary file is left behind.
    expect(readdirSync(dir)).toEqual(['news-x.json']);
    expect(await store.get('news-x')).toEqual(second);
  });

  it('refuses a channel id that could lead outside the folder', async () => {
    for (const id of ['sub/dir', '.hidden', 'Upper', `..${'/'}up`]) {
      await expect(store.put(id, first)).rejects.toThrow(/Invalid channel id/);
    }
  });

  it('reads the environment first, then the stored secret, then the sandbox account', async () => {
    const sandbox = { ...first, identifier: 'sandbox.test' };
    const inline = { ...first, identifier: 'inline.test' };
    const env: NodeJS.ProcessEnv = {
      [sandboxCredentialsEnvName('bluesky')]: JSON.stringify(sandbox),
    };
    const credentials = new ChannelCredentials(env, store);
    const fresh = { id: 'fresh-bsky', platform: 'bluesky' as const };
    expect(await credentials.find(fresh)).toEqual({ origin: 'sandbox', value: sandbox });
    await credentials.put('fresh-bsky', second);
    expect(await credentials.find(fresh)).toEqual({ origin: 'stored', value: second });

    env[credentialsEnvName('fresh-bsky')] = JSON.stringify(inline);
    expect(await credentials.find(fresh)).toEqual({ origin: 'environment', value: inline });
    // The environment is never overwritten.
    await expect(credentials.put('fresh-bsky', first)).rejects.toBeInstanceOf(
      EnvironmentCredentialsError,
    );
    expect(await store.get('fresh-bsky')).toEqual(second);
  });

  it('answers none when nothing names credentials for the channel', async () => {
    const credentials = new ChannelCredentials({}, store);
    expect(await credentials.find({ id: 'nothing', platform: 'x' })).toEqual({
      origin: 'none',
      value: undefined,
    });
  });
});
