/**
 * The channels file a test's stack reads (CRIER_CONFIG), and the channel sets the tests
 * give it: the built-in channels with their shares held back, and channels that wait.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { DEFAULT_CHANNELS } from '../../shared/config/default-channels';

/**
 * Points CRIER_CONFIG, for this file's tests, at `config`: a channels file, or channels
 * written to a file of their own (removed after). Register it before the hook that
 * starts the stack: the stack reads the file as it starts, and the previous value comes
 * back after it stops. The answer names the file.
 */
export function channelConfigForFile(config: string | object): () => string {
  const previous = process.env.CRIER_CONFIG;
  let file: string | undefined;
  beforeAll(() => {
    if (typeof config === 'string') file = config;
    else {
      file = join(mkdtempSync(join(tmpdir(), 'crier-config-')), 'channels.json');
      writeFileSync(file, JSON.stringify(config));
    }
    process.env.CRIER_CONFIG = file;
  });
  afterAll(() => {
    if (previous === undefined) delete process.env.CRIER_CONFIG;
    else process.env.CRIER_CONFIG = previous;
    if (file && typeof config !== 'string') rmSync(dirname(file), { recursive: true, force: true });
  });
  return () => {
    if (file === undefined) throw new Error('the channels file is written before the tests');
    return file;
  };
}

/** The built-in channels, every share waiting `minutes` after its article arrives. */
export const delayedDefaultChannels = (minutes: number) => ({
  channels: DEFAULT_CHANNELS.map((channel) => ({
    ...channel,
    schedule: { type: 'delay', minutes },
  })),
});

/** A Bluesky and a Mastodon channel, `bluesky-later` and `mastodon-later`, that wait `minutes`. */
export const laterChannels = (minutes: number) => [
  {
    id: 'bluesky-later',
    platform: 'bluesky',
    account: 'newsroom.bsky.social',
    template: '{title}\n\n{url}',
    schedule: { type: 'delay', minutes },
  },
  {
    id: 'mastodon-later',
    platform: 'mastodon',
    account: '@newsroom@mastodon.example',
    template: '{title}\n\n{url}',
    schedule: { type: 'delay', minutes },
  },
];
