/**
 * No secret reaches a log line: a whole local run (the sample article published on every
 * sandbox network, failures and retries, refused webhooks and editor requests) with every
 * line the runtime and the handlers write captured at debug level, then searched for each
 * secret in every form it could be written in.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CHANNEL_COUNT } from '../support/channels';
import { consentForm } from '../support/oauth-flow';
import { rawRequest } from '../support/raw-http';
import { startTestStack, type TestStack } from '../support/stack';
import { getJson, postGhostWebhook, postWebhook, sampleArticle } from '../support/webhook';

/** Quick retries and short network timeouts, so failures and recoveries happen in seconds. */
const SETTINGS: Record<string, string> = {
  CRIER_NETWORK_TIMEOUT_SECONDS: '2',
  CRIER_BACKOFF_BASE_SECONDS: '0.2',
  CRIER_DELIVERY_MARGIN_SECONDS: '2',
  CRIER_SANDBOX_RESET_SECONDS: '1',
  // As chatty as the code can be: debug lines, and the invocation event if anything
  // would log it (the functions must refuse to: it carries tokens and signatures).
  POWERTOOLS_LOG_LEVEL: 'DEBUG',
  POWERTOOLS_LOGGER_LOG_EVENT: 'true',
  CRIER_LOG_LEVEL: 'debug',
  CRIER_LOG_FORMAT: 'json',
};
const saved = Object.fromEntries(Object.keys(SETTINGS).map((k) => [k, process.env[k]]));

/** Everything written while the stack ran: stdout, stderr, console and the runtime's sink. */
const captured: string[] = [];

type Writer = typeof process.stdout.write;
const originals = {
  stdout: process.stdout.write,
  stderr: process.stderr.write,
  console: { ...console },
};

function capture(): void {
  const take = (chunk: unknown, encoding?: unknown) => {
    captured.push(
      typeof chunk === 'string'
        ? chunk
        : Buffer.from(chunk as Uint8Array).toString(
            typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
          ),
    );
    return true;
  };
  process.stdout.write = take as Writer;
  process.stderr.write = take as Writer;
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    console[method] = (...args: unknown[]) => {
      captured.push(args.map((a) => (typeof a === 'string' ? a : serialize(a))).join(' '));
    };
  }
}

function release(): void {
  process.stdout.write = originals.stdout;
  process.stderr.write = originals.stderr;
  Object.assign(console, originals.console);
}

/** A log entry as a reader of the logs sees it, errors with their message, stack and cause. */
function serialize(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) =>
      v instanceof Error
        ? { name: v.name, message: v.message, stack: v.stack, cause: v.cause }
        : typeof v === 'bigint'
          ? String(v)
          : v,
    ) ?? String(value)
  );
}

type Secret = { name: string; value: string };

/** Credential fields of the sandbox channels; ids, handles and URLs are not secrets. */
const SECRET_FIELD = /token|secret|password|key/i;

function channelSecrets(): Secret[] {
  const found: Secret[] = [];
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^CRIER_(CHANNEL|SANDBOX)_CREDENTIALS_/.test(name) || !value) continue;
    const visit = (node: unknown, path: string) => {
      if (typeof node === 'string') {
        if (SECRET_FIELD.test(path)) found.push({ name: `${name}.${path}`, value: node });
      } else if (node && typeof node === 'object') {
        for (const [key, child] of Object.entries(node))
          visit(child, path ? `${path}.${key}` : key);
      }
    };
    visit(JSON.parse(value), '');
  }
  return found;
}

/** Each way a secret could be written: as it is, URL- or JSON-escaped, base64, hex. */
function secretForms(secret: string): Map<string, string> {
  const forms = new Map<string, string>();
  const add = (kind: string, form: string) => {
    if (form.length >= 8 && !forms.has(form)) forms.set(form, kind);
  };
  const utf8 = Buffer.from(secret, 'utf8');
  add('value', secret);
  add('URL-encoded', encodeURIComponent(secret));
  add('JSON-escaped', JSON.stringify(secret).slice(1, -1));
  add('base64', utf8.toString('base64').replace(/=+$/, ''));
  add('base64url', utf8.toString('base64url'));
  add('hex', utf8.toString('hex'));
  // The bytes a secret encodes, in the other encodings.
  const decoded: Buffer[] = [];
  if (secret.startsWith('whsec_')) decoded.push(Buffer.from(secret.slice(6), 'base64'));
  if (/^(?:[0-9a-f]{2})+$/i.test(secret)) decoded.push(Buffer.from(secret, 'hex'));
  if (/^[A-Za-z0-9_-]{16,}$/.test(secret)) decoded.push(Buffer.from(secret, 'base64url'));
  if (/^[A-Za-z0-9+/]{16,}={0,2}$/.test(secret)) decoded.push(Buffer.from(secret, 'base64'));
  for (const bytes of decoded) {
    add('its bytes in base64', bytes.toString('base64').replace(/=+$/, ''));
    add('its bytes in base64url', bytes.toString('base64url'));
    add('its bytes in hex', bytes.toString('hex'));
  }
  return forms;
}

type Leak = { secret: string; form: string; line: string };

/** Every line that holds a secret, with the secret itself blacked out. */
function findLeaks(lines: readonly string[], secrets: readonly Secret[]): Leak[] {
  const leaks: Leak[] = [];
  for (const { name, value } of secrets) {
    for (const [form, kind] of secretForms(value)) {
      for (const line of lines) {
        if (line.toLowerCase().includes(form.toLowerCase())) {
          const masked = line.split(form).join(`<${name}: ${kind}>`).slice(0, 400);
          leaks.push({ secret: name, form: kind, line: masked });
        }
      }
    }
  }
  return leaks;
}

let stack: TestStack;
let secrets: Secret[] = [];

beforeAll(async () => {
  Object.assign(process.env, SETTINGS);
  capture();
  try {
    stack = await startTestStack({
      tickSeconds: 1,
      quiet: false,
      logSink: (entry) => captured.push(serialize(entry)),
    });
  } catch (error) {
    release();
    throw error;
  }
  secrets = [
    { name: 'CRIER_WEBHOOK_SECRET', value: stack.secrets.webhookSecret.value },
    { name: 'CRIER_GHOST_SECRET', value: stack.secrets.ghostSecret.value },
    { name: 'CRIER_EDITOR_TOKEN', value: stack.secrets.editorToken.value },
    ...channelSecrets(),
  ];
}, 120_000);

afterAll(async () => {
  try {
    await stack?.dispose();
  } finally {
    release();
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
});

async function setFaults(spec: string): Promise<void> {
  const response = await fetch(new URL('/sandbox/faults', stack.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ faults: spec }),
  });
  expect(response.status).toBe(200);
}

type Share = { channelId: string; status: string; lastError: string | null };

async function sharesOf(articleId: string): Promise<Share[]> {
  const { body } = await getJson(
    stack.url,
    `/api/articles/${articleId}`,
    stack.secrets.editorToken.value,
  );
  return (body as { shares: Share[] }).shares;
}

async function send(id: string): Promise<string> {
  const article = { ...sampleArticle(), id, title: `${String(sampleArticle().title)} (${id})` };
  const response = await postWebhook(
    stack.url,
    stack.secrets.webhookSecret.value,
    JSON.stringify(article),
  );
  expect(response.status).toBe(202);
  return (response.body as { articleId: string }).articleId;
}

describe('a local run', () => {
  it('has secrets to look for: Crier’s own and every sandbox network’s', () => {
    expect(secrets.map((s) => s.name)).toEqual(
      expect.arrayContaining(['CRIER_WEBHOOK_SECRET', 'CRIER_GHOST_SECRET', 'CRIER_EDITOR_TOKEN']),
    );
    const channels = secrets
      .filter((s) => /^CRIER_(CHANNEL|SANDBOX)_CREDENTIALS_/.test(s.name))
      .map((s) => s.name.split('.')[0]);
    expect(new Set(channels).size).toBe(CHANNEL_COUNT);
  });

  it('refuses forged webhooks and editor requests without a valid token', async () => {
    const body = JSON.stringify(sampleArticle());
    const forged = await postWebhook(
      stack.url,
      `whsec_${Buffer.alloc(32, 9).toString('base64')}`,
      body,
    );
    expect(forged.status).toBe(401);
    const stale = await postWebhook(stack.url, stack.secrets.webhookSecret.value, body, {
      timestamp: Math.floor(Date.now() / 1000) - 3600,
    });
    expect(stale.status).toBe(401);
    const token = stack.secrets.editorToken.value;
    for (const authorization of [
      `Bearer ${token}x`,
      `Basic ${token}`,
      `Bearer ${token} ${token}`,
    ]) {
      const response = await rawRequest(stack.url, 'GET', '/api/articles', [
        ['authorization', authorization],
      ]);
      expect(response.status).toBe(401);
    }
  });

  it('publishes the sample article everywhere', async () => {
    await setFaults('');
    const articleId = await send('secrets-sample');
    await vi.waitFor(
      async () => {
        const shares = await sharesOf(articleId);
        expect(shares).toHaveLength(CHANNEL_COUNT);
        expect(shares.map((s) => s.status)).toEqual(shares.map(() => 'published'));
      },
      { timeout: 40_000, interval: 250 },
    );
  }, 60_000);

  it('logs the networks’ failures as it meets them', async () => {
    await setFaults('*:500:1');
    const articleId = await send('secrets-failing');
    await vi.waitFor(
      async () => {
        const shares = await sharesOf(articleId);
        expect(shares).toHaveLength(CHANNEL_COUNT);
        const seen = shares.map((s) => `${s.channelId}: ${s.status}, ${s.lastError ?? '-'}`);
        // Some networks' posts go through once reconciled; most shares record the failure.
        expect(shares.filter((s) => s.lastError).length, seen.join('; ')).toBeGreaterThanOrEqual(
          Math.ceil(CHANNEL_COUNT / 2),
        );
      },
      { timeout: 40_000, interval: 250 },
    );
    await setFaults('*:429:1');
    await send('secrets-rate-limited');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await setFaults('');
  }, 60_000);

  it('makes a site, its keys and an editor, rotates each kind, and takes each site webhook', async () => {
    const admin = stack.secrets.editorToken.value;
    const api = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(new URL(path, stack.url), {
        method,
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      expect(response.status, `${method} ${path}`).toBeLessThan(300);
      return (await response.json()) as Record<string, string>;
    };
    const made = await api('POST', '/api/sites', { id: 'secret-desk', name: 'Secret Desk' });
    const keys = {
      generic: made.webhookSecret ?? '',
      wordpress: made.wordpressSecret ?? '',
      ghost: made.ghostSecret ?? '',
    };
    for (const [kind, value] of Object.entries(keys)) {
      secrets.push({ name: `site key ${kind}`, value });
      const rotated = await api('POST', '/api/sites/secret-desk/webhook-key', { kind });
      secrets.push({ name: `site key ${kind} (rotated)`, value: rotated.webhookSecret ?? '' });
    }
    const editor = await api('POST', '/api/editors', {
      name: 'zoe',
      role: 'editor',
      sites: ['secret-desk'],
    });
    secrets.push({ name: 'editor token', value: editor.token ?? '' });
    const article = JSON.stringify({ ...sampleArticle(), id: 'secrets-site' });
    const path = (kind: string) => `/webhooks/${kind}/secret-desk`;
    // Each kind with its own key (in its grace), and with another kind's: refused.
    expect(
      (await postWebhook(stack.url, keys.generic, article, { path: path('generic') })).status,
    ).toBe(202);
    expect(
      (await postWebhook(stack.url, keys.generic, article, { path: path('wordpress') })).status,
    ).toBe(401);
    expect(
      (await postGhostWebhook(stack.url, keys.generic, article, { path: path('ghost') })).status,
    ).toBe(401);
  });

  it('sets channel credentials through the API, refused and accepted, and checks them', async () => {
    const admin = stack.secrets.editorToken.value;
    const put = (id: string, body: unknown) =>
      fetch(new URL(`/api/channels/${id}/credentials`, stack.url), {
        method: 'PUT',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    for (const platform of ['bluesky', 'mastodon', 'telegram'] as const) {
      const sandbox = stack.sandboxes?.byPlatform(platform)?.credentials ?? {};
      const id = `${platform}-newsroom`;
      const field = Object.keys(sandbox).find((key) => SECRET_FIELD.test(key)) ?? '';
      const wrong =
        platform === 'telegram'
          ? `7000000001:AA${Buffer.alloc(25, 7).toString('base64url').slice(0, 33)}`
          : `wrong-${Buffer.alloc(12, 5).toString('hex')}`;
      secrets.push({ name: `${id} refused ${field}`, value: wrong });
      expect((await put(id, { ...sandbox, [field]: wrong })).status).toBe(400);
      expect((await put(id, sandbox)).status).toBe(204);
      const checked = await fetch(new URL(`/api/channels/${id}/check`, stack.url), {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}` },
      });
      expect(checked.status).toBe(200);
    }
  });

  it('connects X and Mastodon through their consent pages, and refuses a reused state', async () => {
    const admin = stack.secrets.editorToken.value;
    const instance = stack.sandboxes?.byPlatform('mastodon')?.url ?? '';
    for (const [id, query] of [
      ['x-newsroom', ''],
      ['mastodon-newsroom', `?instance=${encodeURIComponent(instance)}`],
    ] as const) {
      const started = await fetch(new URL(`/api/channels/${id}/connect${query}`, stack.url), {
        headers: { authorization: `Bearer ${admin}` },
      });
      expect(started.status).toBe(200);
      const { authorizeUrl } = (await started.json()) as { authorizeUrl: string };
      const { action, fields } = consentForm(await (await fetch(authorizeUrl)).text());
      fields.set('decision', 'allow');
      const decided = await fetch(new URL(action, authorizeUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: fields.toString(),
        redirect: 'manual',
      });
      const back = new URL(decided.headers.get('location') ?? '');
      secrets.push({ name: `${id} code`, value: back.searchParams.get('code') ?? '' });
      const landed = await fetch(back, { redirect: 'manual' });
      expect(landed.headers.get('location')).toContain(`connected=${id}`);
      expect((await fetch(back, { redirect: 'manual' })).status).toBe(400);
      const stored = JSON.parse(
        readFileSync(join(stack.dataDir, 'channel-secrets', `${id}.json`), 'utf8'),
      ) as Record<string, string>;
      for (const field of ['accessToken', 'refreshToken'] as const) {
        if (stored[field]) secrets.push({ name: `${id} connected ${field}`, value: stored[field] });
      }
    }
    const apps = (await stack.items()).filter((item) =>
      String(item.PK).startsWith('MASTODON-APP#'),
    );
    expect(apps).toHaveLength(1);
    secrets.push({ name: 'Mastodon app client secret', value: String(apps[0]?.clientSecret) });
  });

  it('writes no secret in any form into any log line', async () => {
    await stack.dispose();
    const lines = captured
      .join('\n')
      .split('\n')
      .filter((line) => line.trim() !== '');
    // The capture saw the handlers and the runtime at work (else the search proves nothing)...
    expect(lines.some((line) => line.includes('Article received'))).toBe(true);
    expect(lines.some((line) => line.includes('Request refused'))).toBe(true);
    expect(lines.some((line) => line.includes('http.request'))).toBe(true);
    expect(lines.some((line) => /publish/i.test(line) && /error|fail|500/i.test(line))).toBe(true);
    // ...and the search finds a secret where there is one.
    const planted = secrets.map(
      (secret) => `planted ${Buffer.from(secret.value).toString('base64')}`,
    );
    expect(findLeaks(planted, secrets).length).toBeGreaterThanOrEqual(secrets.length);

    const leaks = findLeaks(lines, secrets);
    expect(leaks, JSON.stringify(leaks.slice(0, 20), null, 2)).toEqual([]);
  }, 60_000);
});
