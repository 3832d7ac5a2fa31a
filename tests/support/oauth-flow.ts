/**
 * Drives a sandbox's authorization flow over HTTP as a browser and a client would: the
 * consent page, its form posted back, the redirect read for `code` and `state`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';

export const CALLBACK = 'http://127.0.0.1:9/oauth/callback/test';

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** The hidden inputs and action of the consent page's form. */
export function consentForm(page: string): { action: string; fields: URLSearchParams } {
  const action = /<form method="post" action="([^"]+)"/.exec(page)?.[1];
  if (!action) throw new Error('the consent page has no form');
  const fields = new URLSearchParams();
  const unescapeHtml = (v: string) =>
    v
      .replaceAll('&quot;', '"')
      .replaceAll('&#39;', "'")
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>')
      .replaceAll('&amp;', '&');
  for (const match of page.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    fields.append(unescapeHtml(match[1] ?? ''), unescapeHtml(match[2] ?? ''));
  }
  return { action: unescapeHtml(action), fields };
}

/**
 * Opens the consent page at `authorizeUrl` with `params`, checks it names the app and
 * the scopes, posts the decision, and returns where the server redirected.
 */
export async function consent(
  authorizeUrl: string,
  params: Record<string, string>,
  decision: 'allow' | 'deny' = 'allow',
  expectScopes: string[] = [],
  /** the consent page's sign-in, where it offers several (e.g. `several`) */
  account?: string,
): Promise<URL> {
  const url = new URL(authorizeUrl);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  const page = await fetch(url, { redirect: 'manual' });
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('Crier (sandbox)');
  for (const scope of expectScopes) expect(html).toContain(scope);
  const { action, fields } = consentForm(html);
  fields.set('decision', decision);
  if (account) fields.set('account', account);
  const answer = await fetch(new URL(action, url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: fields.toString(),
    redirect: 'manual',
  });
  expect(answer.status).toBe(302);
  return new URL(answer.headers.get('location') ?? '');
}

export async function postForm(
  url: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export const basic = (id: string, secret: string) => ({
  authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`,
});
