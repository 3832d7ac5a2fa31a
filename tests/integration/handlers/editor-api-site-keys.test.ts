/**
 * Each site's own WordPress and Ghost endpoints and keys on the local stack, a key of
 * each kind rotated on its own, a site renamed, re-branded and paused through
 * PATCH /api/sites/{siteId}, and the audit of key rotations and editors, which names
 * neither a key nor a token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { articleIdFor } from '../../../shared/domain/ids';
import { FUNCTIONS } from '../../../shared/resources';
import { ghostBody, wordpressBody } from '../../support/cms-payloads';
import { callEditorApi } from '../../support/editor-api';
import { startTestStack, type TestStack } from '../../support/stack';
import { getJson, postGhostWebhook, postWebhook } from '../../support/webhook';

let stack: TestStack;
let admin: string;

beforeAll(async () => {
  stack = await startTestStack({
    functions: {
      'editor-api': FUNCTIONS['editor-api'],
      'ingest-webhook': FUNCTIONS['ingest-webhook'],
    },
    sandboxes: false,
  });
  admin = stack.secrets.editorToken.value;
});

afterAll(async () => {
  await stack?.dispose();
});

type Json = Record<string, unknown>;

const call = (method: string, path: string, token: string, body?: unknown) =>
  callEditorApi<Json>(stack.url, { method, path, token, body });

const postWordPress = (siteId: string, secret: string, body: string) =>
  postWebhook(stack.url, secret, body, { path: `/webhooks/wordpress/${siteId}` });
const postGhost = (siteId: string, secret: string, body: string) =>
  postGhostWebhook(stack.url, secret, body, { path: `/webhooks/ghost/${siteId}` });

const articleIdOf = (answer: { body: unknown }) => String((answer.body as Json).articleId);

async function articleOf(articleId: string): Promise<Json> {
  const { status, body } = await getJson(stack.url, `/api/articles/${articleId}`, admin);
  expect(status).toBe(200);
  return (body as { article: Json }).article;
}

type Keys = { webhookSecret: string; wordpressSecret: string; ghostSecret: string };
const keys: Record<string, Keys> = {};

describe('a site’s WordPress and Ghost webhooks', () => {
  it('makes a key of each kind with the site, each shown once and never again', async () => {
    for (const id of ['east', 'west']) {
      const made = await call('POST', '/api/sites', admin, { id, name: `The ${id} desk` });
      expect(made.status).toBe(201);
      const { webhookSecret, wordpressSecret, ghostSecret } = made.body as Keys;
      expect(webhookSecret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
      expect(wordpressSecret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
      expect(ghostSecret).toMatch(/^[0-9a-f]{64}$/);
      expect(new Set([webhookSecret, wordpressSecret, ghostSecret]).size).toBe(3);
      keys[id] = { webhookSecret, wordpressSecret, ghostSecret };
    }
    const listed = await call('GET', '/api/sites', admin);
    const text = JSON.stringify(listed.body);
    for (const secret of Object.values(keys).flatMap((k) => Object.values(k))) {
      expect(text).not.toContain(secret);
    }
    const audit = await call('GET', '/api/audit?limit=100', admin);
    const auditText = JSON.stringify(audit.body);
    for (const secret of Object.values(keys).flatMap((k) => Object.values(k))) {
      expect(auditText).not.toContain(secret);
    }
  });

  it('takes a WordPress post signed with the site’s WordPress key only, as that site’s', async () => {
    const east = keys.east as Keys;
    const body = wordpressBody();
    // Another kind's key, another site's, and the deployment's: each refused.
    expect((await postWordPress('east', east.webhookSecret, body)).status).toBe(401);
    expect((await postWordPress('east', keys.west?.wordpressSecret ?? '', body)).status).toBe(401);
    expect((await postWordPress('east', stack.secrets.webhookSecret.value, body)).status).toBe(401);
    const accepted = await postWordPress('east', east.wordpressSecret, body);
    expect(accepted.status).toBe(202);
    const article = await articleOf(articleIdOf(accepted));
    expect(article).toMatchObject({ source: 'wordpress', sourceId: '41872', siteId: 'east' });
  });

  it('keeps two sites’ posts with the same WordPress id apart, and withdraws only the one', async () => {
    const post = wordpressBody({ id: 77 });
    const east = await postWordPress('east', keys.east?.wordpressSecret ?? '', post);
    const west = await postWordPress('west', keys.west?.wordpressSecret ?? '', post);
    expect([east.status, west.status]).toEqual([202, 202]);
    expect(articleIdOf(east)).not.toBe(articleIdOf(west));
    expect(articleIdOf(east)).not.toBe(articleIdFor('wordpress', '77'));
    expect((await articleOf(articleIdOf(west))).siteId).toBe('west');

    const trashed = await postWordPress(
      'east',
      keys.east?.wordpressSecret ?? '',
      wordpressBody({ id: 77, status: 'trash', modified_gmt: '2030-01-01T00:00:00' }),
    );
    expect(trashed.status).toBe(202);
    expect(articleIdOf(trashed)).toBe(articleIdOf(east));
    expect((await articleOf(articleIdOf(east))).status).toBe('deleted');
    expect((await articleOf(articleIdOf(west))).status).toBe('published');
  });

  it('takes a Ghost post signed with the site’s Ghost key only, as that site’s', async () => {
    const east = keys.east as Keys;
    const body = ghostBody();
    expect((await postGhost('east', stack.secrets.ghostSecret.value, body)).status).toBe(401);
    expect((await postGhost('east', keys.west?.ghostSecret ?? '', body)).status).toBe(401);
    const accepted = await postGhost('east', east.ghostSecret, body);
    expect(accepted.status).toBe(202);
    const article = await articleOf(articleIdOf(accepted));
    expect(article).toMatchObject({ source: 'ghost', siteId: 'east' });
  });

  it('answers 404 for an unknown site, before looking at the signature', async () => {
    expect(
      (await postWordPress('nowhere', keys.east?.wordpressSecret ?? '', wordpressBody())).status,
    ).toBe(404);
    expect((await postGhost('nowhere', keys.east?.ghostSecret ?? '', ghostBody())).status).toBe(
      404,
    );
  });

  it('serves the default site under its id with the deployment’s secrets, the same articles', async () => {
    const body = wordpressBody({ id: 9001 });
    const plain = await postWebhook(stack.url, stack.secrets.webhookSecret.value, body, {
      path: '/webhooks/wordpress',
    });
    const named = await postWordPress('default', stack.secrets.webhookSecret.value, body);
    expect([plain.status, named.status]).toEqual([202, 202]);
    expect(articleIdOf(named)).toBe(articleIdOf(plain));
    expect(articleIdOf(plain)).toBe(articleIdFor('wordpress', '9001'));
    const ghostAnswer = await postGhost('default', stack.secrets.ghostSecret.value, ghostBody());
    expect(ghostAnswer.status).toBe(202);
    expect((await articleOf(articleIdOf(ghostAnswer))).siteId).toBe('default');
  });
});

describe('rotating one kind of key', () => {
  it('replaces only that kind’s key, keeps the old one in its grace, and audits the kind', async () => {
    const east = keys.east as Keys;
    const rotated = await call('POST', '/api/sites/east/webhook-key', admin, { kind: 'wordpress' });
    expect(rotated.status).toBe(201);
    expect(rotated.body.kind).toBe('wordpress');
    const fresh = String(rotated.body.webhookSecret);
    expect(fresh).toMatch(/^whsec_/);
    const body = wordpressBody({ id: 501 });
    expect((await postWordPress('east', fresh, body)).status).toBe(202);
    expect(
      (await postWordPress('east', east.wordpressSecret, wordpressBody({ id: 502 }))).status,
    ).toBe(202);

    const ghostRotated = await call('POST', '/api/sites/east/webhook-key', admin, {
      kind: 'ghost',
    });
    expect(ghostRotated.status).toBe(201);
    expect(String(ghostRotated.body.webhookSecret)).toMatch(/^[0-9a-f]{64}$/);
    expect(
      (await postGhost('east', String(ghostRotated.body.webhookSecret), ghostBody())).status,
    ).toBe(202);

    // Without a body: the generic key, as before.
    const generic = await call('POST', '/api/sites/east/webhook-key', admin);
    expect(generic.status).toBe(201);
    expect(generic.body.kind).toBe('generic');

    const bad = await call('POST', '/api/sites/east/webhook-key', admin, { kind: 'drupal' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.fields)).toContain('kind');

    const audit = await call('GET', '/api/audit?siteId=east', admin);
    const rotations = (audit.body.entries as Json[]).filter((e) => e.action === 'site.key-rotated');
    expect(rotations.map((e) => [e.target, (e.after as Json).kind, e.who])).toEqual([
      ['site:east', 'generic', 'editor'],
      ['site:east', 'ghost', 'editor'],
      ['site:east', 'wordpress', 'editor'],
    ]);
    const text = JSON.stringify(audit.body);
    for (const secret of [
      fresh,
      String(ghostRotated.body.webhookSecret),
      String(generic.body.webhookSecret),
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe('PATCH /api/sites/{siteId}', () => {
  it('renames, re-brands and sets the stale threshold, at the version read, audited', async () => {
    const patched = await call('PATCH', '/api/sites/west', admin, {
      name: 'The West Desk',
      brand: { accent: '#0055ff' },
      staleAfterHours: 48,
      version: 1,
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.site).toMatchObject({
      id: 'west',
      name: 'The West Desk',
      brand: { accent: '#0055ff', background: '#111827' },
      staleAfterHours: 48,
      status: 'active',
      version: 2,
    });
    const stale = await call('PATCH', '/api/sites/west', admin, { name: 'Late', version: 1 });
    expect(stale.status).toBe(409);

    const cleared = await call('PATCH', '/api/sites/west', admin, {
      staleAfterHours: null,
      version: 2,
    });
    expect(cleared.status).toBe(200);
    expect(cleared.body.site).not.toHaveProperty('staleAfterHours');

    const audit = await call('GET', '/api/audit?siteId=west', admin);
    const [last, before] = audit.body.entries as Json[];
    expect(last).toMatchObject({ action: 'update', target: 'site:west', version: 3 });
    expect(before).toMatchObject({
      action: 'update',
      before: { name: 'The west desk' },
      after: { name: 'The West Desk', staleAfterHours: 48 },
    });
  });

  it('pauses and resumes the whole site, its channels held meanwhile', async () => {
    const paused = await call('PATCH', '/api/sites/west', admin, { status: 'paused' });
    expect(paused.status).toBe(200);
    expect(paused.body.site).toMatchObject({ status: 'paused', version: 4 });
    const listed = await call('GET', '/api/sites', admin);
    expect((listed.body.sites as Json[]).find((s) => s.id === 'west')?.status).toBe('paused');
    const resumed = await call('PATCH', '/api/sites/west', admin, { status: 'active', version: 4 });
    expect(resumed.body.site).toMatchObject({ status: 'active', version: 5 });
    const audit = await call('GET', '/api/audit?siteId=west&limit=2', admin);
    expect((audit.body.entries as Json[]).map((e) => e.action)).toEqual(['resume', 'pause']);
  });

  it('refuses bad fields with 400 naming them, writing nothing; an unknown site is 404', async () => {
    const before = await call('GET', '/api/audit?siteId=west', admin);
    for (const [body, field] of [
      [{ name: '' }, 'name'],
      [{ staleAfterHours: -1 }, 'staleAfterHours'],
      [{ status: 'archived' }, 'status'],
      [{ colour: 'red' }, '(body)'],
      [{ brand: { accent: 'red' } }, 'brand.accent'],
    ] as const) {
      const refused = await call('PATCH', '/api/sites/west', admin, body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(refused.body.fields), JSON.stringify(body)).toContain(field);
    }
    const after = await call('GET', '/api/audit?siteId=west', admin);
    expect(after.body.entries).toEqual(before.body.entries);
    expect((await call('PATCH', '/api/sites/nowhere', admin, { name: 'x' })).status).toBe(404);
  });
});

describe('the audit of editors', () => {
  it('records an editor made and revoked, with name, role and sites, never the token', async () => {
    const unknownSite = await call('POST', '/api/editors', admin, {
      name: 'eve',
      role: 'editor',
      sites: ['east', 'atlantis'],
    });
    expect(unknownSite.status).toBe(400);
    expect(JSON.stringify(unknownSite.body.fields)).toContain('sites.1');

    const made = await call('POST', '/api/editors', admin, {
      name: 'eve',
      role: 'editor',
      sites: ['east'],
    });
    expect(made.status).toBe(201);
    const token = String(made.body.token);
    const id = String((made.body.editor as Json).id);
    const editorPatch = await call('PATCH', '/api/sites/east', token, { name: 'x' });
    expect(editorPatch.status).toBe(403);
    expect((await call('DELETE', `/api/editors/${id}`, admin)).status).toBe(200);

    const audit = await call('GET', '/api/audit?limit=2', admin);
    const [revoked, created] = audit.body.entries as Json[];
    expect(created).toMatchObject({
      action: 'editor.created',
      target: `editor:${id}`,
      who: 'editor',
      before: null,
      after: { name: 'eve', role: 'editor', sites: ['east'] },
    });
    expect(revoked).toMatchObject({
      action: 'editor.revoked',
      target: `editor:${id}`,
      before: { name: 'eve', role: 'editor', sites: ['east'] },
      after: null,
    });
    const text = JSON.stringify(audit.body);
    expect(text).not.toContain(token);
    expect(text).not.toMatch(/[0-9a-f]{64}/);
    expect(JSON.stringify(await stack.items())).not.toContain(token);
  });
});
