/** `crier preview` end to end: arguments, saved fixture pages, a served page, failures. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PREVIEW_USAGE, runPreview } from '../../../infra/cli/preview';
import { loadChannelsConfig } from '../../../shared/config/channels';
import { createSafeFetch } from '../../../shared/preview/fetch';

const PAGES = join(import.meta.dirname, '../../../tests/fixtures/pages');
const SEED = join(import.meta.dirname, '../../../tests/fixtures/seed-article.html');

type Output = {
  card: { url: string; title?: string; image?: string; warnings: string[] };
  warnings: string[];
  posts: Record<
    string,
    {
      channel: string;
      url?: string;
      text?: string;
      length?: { used: number; limit: number; unit: string };
      card?: { url: string; title: string };
      warnings: string[];
    }
  >;
};

async function run(argv: string[], deps?: Parameters<typeof runPreview>[2]) {
  let stdout = '';
  let stderr = '';
  const code = await runPreview(
    argv,
    {
      stdout: { write: (chunk: string) => (stdout += chunk) },
      stderr: { write: (chunk: string) => (stderr += chunk) },
    },
    deps,
  );
  return { code, stdout, stderr };
}

const previousConfig = process.env.CRIER_CONFIG;
afterAll(() => {
  if (previousConfig === undefined) delete process.env.CRIER_CONFIG;
  else process.env.CRIER_CONFIG = previousConfig;
});
afterEach(() => {
  delete process.env.CRIER_CONFIG;
});

describe('arguments', () => {
  it('prints help and exits 0', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain(PREVIEW_USAGE);
  });

  it.each([
    [[]],
    [['--nope']],
    [['--html', 'page.html']],
    [['--url', 'https://example.org/']],
    [['https://a.example/', 'https://b.example/']],
    [['--html', 'page.html', '--url', 'https://example.org/', 'https://example.org/']],
    [['ftp://example.org/file']],
    [['--html', 'page.html', '--url', 'not a url']],
    [['--html']],
  ])('exits 2 with the usage line for %j', async (argv) => {
    const { code, stderr, stdout } = await run(argv);
    expect(code).toBe(2);
    expect(stderr).toContain(PREVIEW_USAGE);
    expect(stdout).toBe('');
  });
});

describe('--html on fixture pages', () => {
  const channels = loadChannelsConfig(undefined).channels;

  it.each([
    ['bbc', 'The man who built a $1bn firm in his basement'],
    ['the-guardian', 'Facebook can track your browsing even after you'],
    ['techcrunch', 'HackerRank Makes Technical Recruiting More Transparent'],
    ['softwarefordays', 'Resolving the Time Paradox Implied by Functional Programs'],
  ])('prints the card and a post for every channel of %s', async (page, title) => {
    const expected: { url: string } = JSON.parse(
      readFileSync(join(PAGES, page, 'expected.json'), 'utf8'),
    );
    const { code, stdout, stderr } = await run([
      '--html',
      join(PAGES, page, 'input.html'),
      '--url',
      expected.url,
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const out: Output = JSON.parse(stdout);
    expect(out.card.title).toContain(title);
    expect(out.warnings).toEqual(out.card.warnings);
    expect(Object.keys(out.posts).sort()).toEqual(channels.map((c) => c.platform).sort());
    for (const channel of channels) {
      const post = out.posts[channel.platform];
      expect(post?.channel).toBe(channel.id);
      expect(post?.text).toContain(title.slice(0, 20));
      expect(post?.url).toMatch(/[?&]utm_source=/);
      expect(post?.length?.used).toBeLessThanOrEqual(post?.length?.limit ?? 0);
      expect(Array.isArray(post?.warnings)).toBe(true);
    }
  });

  it('builds the article from the card: canonical URL, summary, image, author', async () => {
    const url = 'http://www.leftvoice.org/trump-declares-support-for-coup-in-bolivia/?ref=home';
    const { code, stdout } = await run(['--html', SEED, '--url', url]);
    expect(code).toBe(0);
    const out: Output = JSON.parse(stdout);
    const bluesky = out.posts.bluesky;
    expect(bluesky?.card?.url).toMatch(
      /^https:\/\/www\.leftvoice\.org\/trump-declares-support-for-coup-in-bolivia\/\?utm_source=bluesky/,
    );
    expect(bluesky?.text).toContain('coup d’état in Bolivia');
    expect(out.card.warnings).toContain(
      `og:url https://www.leftvoice.org/trump-declares-support-for-coup-in-bolivia/ differs from the page's URL ${url}`,
    );
  });

  it('keys a second channel on one network by its id, and runs the checker per network', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crier-preview-cli-'));
    const config = join(dir, 'channels.json');
    writeFileSync(
      config,
      JSON.stringify({
        channels: [
          { id: 'x-main', platform: 'x', account: 'main', template: '{title} {url}' },
          { id: 'x-sport', platform: 'x', account: 'sport', template: '{title} {url}' },
          { id: 'bsky', platform: 'bluesky', account: 'a.bsky.social', template: '{title} {url}' },
        ],
      }),
    );
    process.env.CRIER_CONFIG = config;
    const html = join(dir, 'long.html');
    writeFileSync(
      html,
      `<head><meta property="og:title" content="${'A very long headline '.repeat(5)}">
       <link rel="canonical" href="https://news.example/amp/story"></head>`,
    );
    const { code, stdout } = await run(['--html', html, '--url', 'https://news.example/story']);
    expect(code).toBe(0);
    const out: Output = JSON.parse(stdout);
    expect(Object.keys(out.posts)).toEqual(['x', 'x:x-sport', 'bluesky']);
    expect(out.posts.x?.warnings).toEqual(
      expect.arrayContaining([
        'the page has no image (no og:image, twitter:image or other): X shows the link without a picture',
        expect.stringMatching(/^the card title is 10\d characters; X shows about 70$/),
      ]),
    );
    expect(out.posts.bluesky?.warnings).toContain(
      'the card has no image: Bluesky shows the link without a picture',
    );
  });

  it('exits 1 when the saved page cannot be read or makes no article', async () => {
    const missing = await run(['--html', '/nonexistent/page.html', '--url', 'https://a.example/']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read \/nonexistent\/page.html/);
    const dir = mkdtempSync(join(tmpdir(), 'crier-preview-cli-'));
    writeFileSync(join(dir, 'empty.html'), '<html><head></head><body></body></html>');
    const empty = await run(['--html', join(dir, 'empty.html'), '--url', 'https://a.example/']);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/does not make an article/);
  });

  it('exits 1 on a configuration that does not parse', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crier-preview-cli-'));
    writeFileSync(join(dir, 'channels.json'), '{"channels": []}');
    process.env.CRIER_CONFIG = join(dir, 'channels.json');
    const { code, stderr } = await run(['--html', SEED, '--url', 'https://a.example/']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/Invalid channel configuration/);
  });
});

describe('fetching', () => {
  let server: Server;
  let port: number;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(readFileSync(SEED));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('exits 1 with a clear error when the page is on a private address', async () => {
    const { code, stderr, stdout } = await run([`http://127.0.0.1:${port}/`]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/cannot fetch the page: .*loopback.*\[blocked\]/);
  });

  it('exits 1 with a clear error when the page cannot be reached', async () => {
    const { code, stderr } = await run(['https://www.newsroom.invalid/story']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/cannot fetch the page: .*\[network\]/);
  });

  it('previews a page it fetched (a public name served on loopback through the test seams)', async () => {
    const fetch = createSafeFetch({
      resolve: async () => ['93.184.216.34'],
      connectTo: () => ({ host: '127.0.0.1', port }),
    });
    try {
      const { code, stdout } = await run(['http://www.leftvoice.org/trump/'], { fetch });
      expect(code).toBe(0);
      const out: Output = JSON.parse(stdout);
      expect(out.card.title).toBe('Trump Declares Support for Coup in Bolivia');
      // the relative og:image is read against the address it was fetched from
      expect(out.card.image).toBe(
        'http://www.leftvoice.org/wp-content/uploads/2019/11/trump-bolivia-efe.jpg',
      );
    } finally {
      await fetch.close();
    }
  });
});
