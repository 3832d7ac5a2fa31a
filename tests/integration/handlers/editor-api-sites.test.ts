/**
 * Sites on the local stack: each with its own webhook key, editors who see only their
 * sites, channels changed through the API and audited, and a key rotated with a grace.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../../shared/resources';
import { DEFAULT_CHANNELS } from '../../support/channels';
import { callEditorApi } from '../../support/editor-api';
import { startTestStack, type TestStack } from '../../support/stack';
import { getJson, postWebhook, sampleArticle } from '../../support/webhook';

let stack: TestStack;
let admin: string;
/** How far the stack's clock runs ahead of the system's, in milliseconds. */
let offset = 0;
const now = () => new Date(Date.now() + offset);
const nowSeconds = () => Math.floor(now().getTime() / 1000);

beforeAll(async () => {
  stack = await startTestStack({
    functions: {
      'editor-api': FUNCTIONS['editor-api'],
      'ingest-webhook': FUNCTIONS['ingest-webhook'],
    },
    sandboxes: false,
    clock: { now },
  });
  admin = stack.secrets.editorToken.value;
});

afterAll(async () => {
  await stack?.dispose();
});

const call = (method: string, path: string, token: string, body?: unknown) =>
  callEditorApi(stack.url, { method, path, token, body });

const article = (id: string) => JSON.stringify({ ...sampleArticle(), id });

function postArticle(siteId: string, secret: string, body: string) {
  return postWebhook(stack.url, secret, body, {
    path: `/webhooks/generic/${siteId}`,
    timestamp: nowSeconds(),
  });
}

const secrets: Record<string, string> = {};
const articleIds: Record<string, string> = {};
let editorA = '';

describe('sites and their webhooks', () => {
  it('creates two sites, each with a webhook secret shown once; a second create is 409', async () => {
    for (const [id, name] of [
      ['site-a', 'Site A'],
      ['site-b', 'Site B'],
    ] as const) {
      const created = await call('POST', '/api/sites', admin, { id, name });
      expect(created.status).toBe(201);
      expect(created.body.site).toMatchObject({ id, name, status: 'active', version: 1 });
      expect(created.body.webhookSecret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
      secrets[id] = String(created.body.webhookSecret);
    }
    expect(secrets['site-a']).not.toBe(secrets['site-b']);
    expect((await call('POST', '/api/sites', admin, { id: 'site-a', name: 'Again' })).status).toBe(
      409,
    );
    const { body } = await call('GET', '/api/sites', admin);
    expect((body.sites as { id: string }[]).map((s) => s.id)).toEqual([
      'default',
      'site-a',
      'site-b',
    ]);
    // No API answer holds a key after the one that made it.
    expect(JSON.stringify(body)).not.toContain('whsec_');
  });

  it("takes each site's articles signed with its own key only, and tags them with the site", async () => {
    for (const site of ['site-a', 'site-b']) {
      const body = article(`${site}-${randomUUID()}`);
      const other = site === 'site-a' ? 'site-b' : 'site-a';
      expect((await postArticle(site, secrets[other] ?? '', body)).status).toBe(401);
      const accepted = await postArticle(site, secrets[site] ?? '', body);
      expect(accepted.status).toBe(202);
      articleIds[site] = String((accepted.body as { articleId: string }).articleId);
      const { body: detail } = await getJson(stack.url, `/api/articles/${articleIds[site]}`, admin);
      expect((detail as { article: { siteId: string } }).article.siteId).toBe(site);
    }
  });

  it("lists one site's articles with siteId, and nothing of a site the caller may not see", async () => {
    for (const site of ['site-a', 'site-b']) {
      const list = await call('GET', `/api/articles?limit=100&siteId=${site}`, admin);
      expect(list.status).toBe(200);
      const articles = list.body.articles as { id: string; siteId: string }[];
      expect(articles.map((a) => a.id)).toContain(articleIds[site]);
      expect(new Set(articles.map((a) => a.siteId))).toEqual(new Set([site]));
    }
    const bad = await call('GET', '/api/articles?siteId=Not_A_Site', admin);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.fields)).toContain('siteId');
  });

  it('answers 404 for an unknown site', async () => {
    const response = await postArticle('no-such-site', secrets['site-a'] ?? '', article('x-1'));
    expect(response.status).toBe(404);
  });
});

describe('an editor of site A', () => {
  it('is made by an admin with a token shown once, and listed without it', async () => {
    const made = await call('POST', '/api/editors', admin, {
      name: 'ana',
      role: 'editor',
      sites: ['site-a'],
    });
    expect(made.status).toBe(201);
    editorA = String(made.body.token);
    expect(editorA.length).toBeGreaterThan(30);
    const listed = await call('GET', '/api/editors', admin);
    expect(listed.status).toBe(200);
    expect(listed.body.editors).toEqual([
      expect.objectContaining({ name: 'ana', role: 'editor', sites: ['site-a'] }),
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(editorA);
    const stored = await stack.items();
    expect(JSON.stringify(stored)).not.toContain(editorA);
  });

  it('learns from GET /api/me its name, role and sites; the admin is told it sees every site', async () => {
    const me = await call('GET', '/api/me', editorA);
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ editor: { name: 'ana', role: 'editor', sites: ['site-a'] } });
    expect(JSON.stringify(me.body)).not.toContain(editorA);
    const adminMe = await call('GET', '/api/me', admin);
    expect(adminMe.body).toEqual({ editor: { name: 'editor', role: 'admin', sites: 'all' } });
    expect((await call('GET', '/api/me', 'not-a-token')).status).toBe(401);
  });

  it("sees site A's article, and not site B's (404), nor it in the list", async () => {
    expect((await call('GET', `/api/articles/${articleIds['site-a']}`, editorA)).status).toBe(200);
    expect((await call('GET', `/api/articles/${articleIds['site-b']}`, editorA)).status).toBe(404);
    const list = await call('GET', '/api/articles?limit=100', editorA);
    const ids = (list.body.articles as { id: string; siteId: string }[]).map((a) => a.siteId);
    expect(ids).toEqual(['site-a']);
    const other = await call('GET', '/api/articles?limit=100&siteId=site-b', editorA);
    expect(other.status).toBe(200);
    expect(other.body.articles).toEqual([]);
    const write = await call(
      'POST',
      `/api/articles/${articleIds['site-b']}/shares/${DEFAULT_CHANNELS[0]?.id}/cancel`,
      editorA,
    );
    expect(write.status).toBe(404);
  });

  it('is refused every admin route with 403', async () => {
    const refused: [string, string, unknown?][] = [
      ['POST', '/api/sites', { id: 'site-c', name: 'C' }],
      ['POST', '/api/sites/site-a/webhook-key'],
      ['POST', '/api/sites/site-a/webhook-key', { kind: 'wordpress' }],
      ['PATCH', '/api/sites/site-a', { status: 'paused' }],
      ['GET', '/api/editors'],
      ['POST', '/api/editors', { name: 'x', role: 'admin', sites: [] }],
      ['DELETE', '/api/editors/whoever'],
      ['GET', '/api/audit'],
      ['POST', '/api/channels', { id: 'x' }],
      ['PATCH', `/api/channels/${DEFAULT_CHANNELS[0]?.id}`, { name: 'x' }],
      ['DELETE', `/api/channels/${DEFAULT_CHANNELS[0]?.id}`],
      ['POST', `/api/channels/${DEFAULT_CHANNELS[0]?.id}/pause`],
      ['POST', `/api/channels/${DEFAULT_CHANNELS[0]?.id}/resume`],
    ];
    for (const [method, path, body] of refused) {
      expect((await call(method, path, editorA, body)).status, `${method} ${path}`).toBe(403);
    }
  });

  it('is refused with 401 once revoked', async () => {
    const listed = await call('GET', '/api/editors', admin);
    const [editor] = listed.body.editors as { id: string }[];
    expect((await call('DELETE', `/api/editors/${editor?.id}`, admin)).status).toBe(200);
    expect((await call('GET', '/api/articles', editorA)).status).toBe(401);
  });
});

describe('channels through the API', () => {
  const template = DEFAULT_CHANNELS[0];
  const id = 'site-a-extra';

  it('creates, patches and archives a channel, each shown in GET and in the audit', async () => {
    const { id: _id, siteId: _site, ...fields } = template ?? ({} as Record<string, unknown>);
    const created = await call('POST', '/api/channels', admin, { ...fields, id, siteId: 'site-a' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.channel).toMatchObject({
      id,
      siteId: 'site-a',
      status: 'active',
      version: 1,
    });
    expect(
      (await call('POST', '/api/channels', admin, { ...fields, id, siteId: 'site-a' })).status,
    ).toBe(409);

    const bad = await call('POST', '/api/channels', admin, { id: 'bad-one', platform: 'nope' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.fields)).toContain('platform');

    const patched = await call('PATCH', `/api/channels/${id}`, admin, {
      name: 'Extra',
      version: 1,
    });
    expect(patched.status).toBe(200);
    expect(patched.body.channel).toMatchObject({ id, name: 'Extra', version: 2 });
    expect(
      (await call('PATCH', `/api/channels/${id}`, admin, { name: 'Y', version: 1 })).status,
    ).toBe(409);
    expect(
      (await call('PATCH', `/api/channels/${id}`, admin, { timezone: 'Not/AZone' })).status,
    ).toBe(400);

    const paused = await call('POST', `/api/channels/${id}/pause`, admin);
    expect(paused.status).toBe(200);
    expect(paused.body.channel).toMatchObject({ id, status: 'paused', version: 3 });
    const pausedList = await call('GET', '/api/channels', admin);
    expect(
      (pausedList.body.channels as { id: string; status: string }[]).find((c) => c.id === id)
        ?.status,
    ).toBe('paused');
    const resumed = await call('POST', `/api/channels/${id}/resume`, admin);
    expect(resumed.status).toBe(200);
    expect(resumed.body.channel).toMatchObject({ id, status: 'active', version: 4 });
    expect((await call('POST', '/api/channels/no-such-channel/pause', admin)).status).toBe(404);

    const listed = await call('GET', '/api/channels', admin);
    expect(
      (listed.body.channels as { id: string; name: string }[]).find((c) => c.id === id)?.name,
    ).toBe('Extra');

    const archived = await call('DELETE', `/api/channels/${id}`, admin);
    expect(archived.status).toBe(200);
    expect(archived.body.channel).toMatchObject({ id, status: 'archived' });
    const after = await call('GET', '/api/channels', admin);
    expect((after.body.channels as { id: string }[]).map((c) => c.id)).not.toContain(id);

    const audit = await call('GET', '/api/audit?siteId=site-a', admin);
    expect(audit.status).toBe(200);
    const entries = audit.body.entries as Record<string, unknown>[];
    expect(entries.slice(0, 5).map((e) => [e.action, e.target, e.who])).toEqual([
      ['archive', `channel:${id}`, 'editor'],
      ['resume', `channel:${id}`, 'editor'],
      ['pause', `channel:${id}`, 'editor'],
      ['update', `channel:${id}`, 'editor'],
      ['create', `channel:${id}`, 'editor'],
    ]);
    expect(entries[2]).toMatchObject({ before: { status: 'active' }, after: { status: 'paused' } });
    expect((await call('POST', `/api/channels/${id}/resume`, admin)).status).toBe(404);
    expect(entries[3]).toMatchObject({
      before: { name: template?.name },
      after: { name: 'Extra' },
    });
    expect(entries.at(-1)).toMatchObject({ action: 'create', target: 'site:site-a', before: null });

    // The archived channel's id made again restores it, active, with the new fields.
    const restored = await call('POST', '/api/channels', admin, {
      ...fields,
      id,
      siteId: 'site-a',
      name: 'Back again',
    });
    expect(restored.status, JSON.stringify(restored.body)).toBe(201);
    expect(restored.body.channel).toMatchObject({ id, status: 'active', name: 'Back again' });
    const latest = (await call('GET', '/api/audit?siteId=site-a&limit=1', admin)).body
      .entries as Record<string, unknown>[];
    expect(latest[0]).toMatchObject({ action: 'restore', target: `channel:${id}` });
    expect(
      (await call('POST', '/api/channels', admin, { ...fields, id, siteId: 'site-a' })).status,
    ).toBe(409);
  });
});

describe('webhook key rotation', () => {
  it('accepts the old key within the grace period, and refuses it after', async () => {
    const old = secrets['site-a'] ?? '';
    const rotated = await call('POST', '/api/sites/site-a/webhook-key', admin);
    expect(rotated.status).toBe(201);
    const fresh = String(rotated.body.webhookSecret);
    expect(fresh).not.toBe(old);
    expect((await postArticle('site-a', old, article(`a-${randomUUID()}`))).status).toBe(202);
    expect((await postArticle('site-a', fresh, article(`a-${randomUUID()}`))).status).toBe(202);

    offset = 23 * 3_600_000;
    expect((await postArticle('site-a', old, article(`a-${randomUUID()}`))).status).toBe(202);
    offset = 25 * 3_600_000;
    expect((await postArticle('site-a', old, article(`a-${randomUUID()}`))).status).toBe(401);
    expect((await postArticle('site-a', fresh, article(`a-${randomUUID()}`))).status).toBe(202);
    offset = 0;
  });

  it('answers 404 for rotating an unknown site', async () => {
    expect((await call('POST', '/api/sites/nowhere/webhook-key', admin)).status).toBe(404);
  });
});
