/**
 * The WordPress plugin exactly as docs/api.md prints it, run by PHP against a real HTTP
 * server scripted to throttle and fail: what it sends again, when, and signed how.
 * Skipped, saying so, where no `php` is installed (CI installs php-cli).
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyStandardWebhook } from '../../../shared/ingest/standard-webhooks';

const PHP = (() => {
  try {
    execFileSync('php', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const NO_PHP =
  'php is not installed here (apt-get install php-cli): the WordPress plugin is not run';

const SECRET = `whsec_${Buffer.from('the WordPress site key, 32 bytes').toString('base64')}`;
const POST_FIXTURE = 'tests/fixtures/webhooks/wordpress-post.json';
const HARNESS = 'tests/support/wordpress-plugin-harness.php';

type Received = { headers: IncomingMessage['headers']; body: string; at: number };
type Script = (response: ServerResponse) => void;

let server: Server;
let url: string;
let script: Script[] = [];
let received: Received[] = [];
let folder: string;
let plugin: string;

const answer =
  (code: number, headers: Record<string, string> = {}): Script =>
  (response) => {
    response.writeHead(code, { 'content-type': 'application/json', ...headers });
    response.end(code === 202 ? '{"articleId":"art_1"}' : '{"message":"no"}');
  };

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'crier-wp-'));
  // The plugin as the docs print it: the test runs what a newsroom copies.
  const docs = readFileSync('docs/api.md', 'utf8');
  const code = /```php\n([\s\S]*?)```/.exec(docs)?.[1];
  if (!code) throw new Error('docs/api.md has no php block');
  plugin = join(folder, 'crier.php');
  writeFileSync(plugin, code);
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      });
      (script.shift() ?? answer(202))(response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/wordpress`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  rmSync(folder, { recursive: true, force: true });
});

beforeEach(() => {
  script = [];
  received = [];
});

type Save = { meta?: Record<string, string>; beforeStatus?: string; saves?: number };

async function runPlugin(save: Save = {}): Promise<{
  out: { attempts: number; waits: number[]; pending: number; meta: Record<string, string> };
  stderr: string;
}> {
  const { stdout, stderr } = await promisify(execFile)('php', [HARNESS], {
    env: {
      ...process.env,
      CRIER_PLUGIN: plugin,
      CRIER_URL: url,
      CRIER_SECRET: SECRET,
      CRIER_POST: POST_FIXTURE,
      CRIER_META: JSON.stringify(save.meta ?? {}),
      CRIER_BEFORE_STATUS: save.beforeStatus ?? '',
      CRIER_SAVES: String(save.saves ?? 1),
    },
  });
  return { out: JSON.parse(stdout), stderr };
}

describe('the documented WordPress plugin', () => {
  it('sends a throttled or failed delivery again through WP-Cron, with backoff, honouring Retry-After', async (context) => {
    if (!PHP) return context.skip(NO_PHP);
    script = [answer(429, { 'retry-after': '120' }), answer(503), answer(202)];
    const { out } = await runPlugin();
    expect(out.attempts).toBe(3);
    expect(received).toHaveLength(3);
    // Never before Retry-After; then the doubled backoff: between half and all of 60 s.
    expect(out.waits[0]).toBeGreaterThanOrEqual(120);
    expect(out.waits[1]).toBeGreaterThanOrEqual(30);
    expect(out.waits[1]).toBeLessThanOrEqual(60);
    expect(out.pending).toBe(0);
    // One delivery: the same id and bytes each time, signed afresh, each signature valid.
    expect(new Set(received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(received[0]?.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(new Set(received.map((r) => r.body)).size).toBe(1);
    expect(JSON.parse(received[0]?.body ?? '{}')).toMatchObject({ id: 41872 });
    for (const { headers, body } of received) {
      expect(() =>
        verifyStandardWebhook(
          SECRET,
          {
            'webhook-id': String(headers['webhook-id']),
            'webhook-timestamp': String(headers['webhook-timestamp']),
            'webhook-signature': String(headers['webhook-signature']),
          },
          Buffer.from(body),
        ),
      ).not.toThrow();
    }
  });

  it('gives up after eight attempts, with waits that double up to an hour, and says so', async (context) => {
    if (!PHP) return context.skip(NO_PHP);
    script = Array.from({ length: 10 }, () => answer(500));
    const { out, stderr } = await runPlugin();
    expect(out.attempts).toBe(8);
    expect(out.pending).toBe(0);
    out.waits.forEach((wait, i) => {
      const delay = Math.min(3600, 30 * 2 ** i);
      expect(wait).toBeGreaterThanOrEqual(Math.floor(delay / 2));
      expect(wait).toBeLessThanOrEqual(delay);
    });
    expect(stderr).toMatch(/not taken after 8 attempts \(last: 500\)/);
  });

  it('does not send again what Crier refused for good', async (context) => {
    if (!PHP) return context.skip(NO_PHP);
    script = [answer(401)];
    const { out, stderr } = await runPlugin();
    expect(out).toMatchObject({ attempts: 1, waits: [], pending: 0 });
    expect(stderr).toMatch(/Crier refused delivery msg_\w+ with 401/);
  });

  it('sends again when nothing answers', async (context) => {
    if (!PHP) return context.skip(NO_PHP);
    // The connection drops before any answer.
    script = [(response) => response.socket?.destroy(), answer(202)];
    const { out } = await runPlugin();
    expect(out.attempts).toBe(2);
    expect(out.waits).toHaveLength(1);
    expect(received).toHaveLength(2);
  });

  const NOTE = 'An earlier version gave the wrong date for the vote: it was October 20.';
  const bodies = () => received.map((r) => JSON.parse(r.body) as { meta?: unknown });

  it('sends the correction note an editor fills on a public post, once: the next save leaves it out', async (context) => {
    if (!PHP) return context.skip(NO_PHP);
    const { out } = await runPlugin({
      meta: { crier_correction: NOTE },
      beforeStatus: 'publish',
      saves: 2,
    });
    expect(out.attempts).toBe(2);
    const [first, second] = bodies();
    expect(first?.meta).toEqual({ crier_correction: NOTE });
    expect(second?.meta).toEqual([]);
    // What the plugin remembers is a protected key (never shown in the editor's fields).
    expect(out.meta).toMatchObject({ crier_correction: NOTE, _crier_correction_sent: NOTE });
    // Crier reads the first as a correction and the second as a plain revision.
    const { normalizeWordPressPost } = await import('../../../shared/ingest/wordpress');
    const read = (body: unknown) => {
      const change = normalizeWordPressPost(body);
      return 'article' in change ? change.article.correction : 'withdrawn';
    };
    expect(received.map((r) => read(JSON.parse(r.body)))).toEqual([NOTE, undefined]);
  });

  it('never sends a note with the first publication, nor an empty one', async (context) => {
    if (!PHP) return context.skip(NO_PHP);
    await runPlugin({ meta: { crier_correction: NOTE } });
    await runPlugin({ meta: { crier_correction: '  ' }, beforeStatus: 'publish' });
    expect(bodies().map((b) => b.meta)).toEqual([[], []]);
  });
});
