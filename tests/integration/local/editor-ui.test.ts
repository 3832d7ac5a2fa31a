/**
 * The local runtime serves the editor UI on the API's own origin: the page, its hashed
 * assets built by esbuild on the first request, and the config telling it to ask for the
 * token, each with its caching and security headers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editorUiUrl } from '../../../infra/local/editor-ui';
import { CACHE_CONTROL } from '../../../web/hosting';
import { startTestStack, type TestStack } from '../../support/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ functions: {}, sandboxes: false });
});

afterAll(async () => {
  await stack?.dispose();
});

const get = (path: string) => fetch(new URL(path, stack.url));

describe('the editor UI on the local stack', () => {
  it('serves index.html at / pointing at hashed assets that are served, with a strict CSP', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe(CACHE_CONTROL.page);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self';");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const html = await page.text();
    const script = /src="(\/assets\/app-[A-Z0-9]+\.js)"/.exec(html)?.[1];
    const style = /href="(\/assets\/app-[A-Z0-9]+\.css)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect(style).toBeDefined();

    const js = await get(script ?? '');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe(CACHE_CONTROL.asset);
    // The networks' own counting is in the bundle, and nothing that needs Node.
    const code = await js.text();
    expect(code).toContain('weighted characters');
    expect(code).not.toMatch(/\bBuffer\.|require\(["']node:/);
    expect((await get(style ?? '')).headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('answers 404 for an asset it did not build', async () => {
    expect((await get('/assets/app-NOPE.js')).status).toBe(404);
  });

  it('tells the page to ask for the editor token, and never serves the token', async () => {
    const config = await get('/config.json');
    // and that published posts open the sandboxes' pages for them
    expect(await config.json()).toEqual({
      auth: { mode: 'token' },
      sandboxPosts: '/sandbox/posts',
    });
    const token = stack.secrets.editorToken.value;
    for (const path of ['/', '/config.json'])
      expect(await (await get(path)).text()).not.toContain(token);
  });

  it('prints a sign-in link that carries the token in the fragment only', () => {
    const url = new URL(editorUiUrl(stack.url, 'a token/with+odd=chars'));
    expect(url.origin).toBe(stack.url);
    expect(url.pathname).toBe('/');
    expect(url.search).toBe('');
    expect(decodeURIComponent(url.hash)).toBe('#token=a token/with+odd=chars');
  });
});
