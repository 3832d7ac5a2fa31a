/**
 * What the browser tests ask the editor API and the sandboxes beside the page: an
 * article's shares as the API answers them, and the posts the sandbox networks took.
 */
import { getJson } from './webhook';

type Stack = { url: string };

/** The article's shares (`GET /api/articles/{id}`); anything but a 200 fails the test. */
export async function articleShares<S>(
  stack: Stack,
  token: string,
  articleId: string,
): Promise<S[]> {
  const { status, body } = await getJson(stack.url, `/api/articles/${articleId}`, token);
  if (status !== 200) throw new Error(`GET /api/articles/${articleId} answered ${status}`);
  return (body as { shares: S[] }).shares;
}

/** The article's share on one channel; none there fails the test. */
export async function articleShare<S extends { channelId: string }>(
  stack: Stack,
  token: string,
  articleId: string,
  channelId: string,
): Promise<S> {
  const share = (await articleShares<S>(stack, token, articleId)).find(
    (s) => s.channelId === channelId,
  );
  if (!share) throw new Error(`no share on ${channelId}`);
  return share;
}

/** Every post the sandbox networks accepted (`GET /sandbox/posts`). */
export async function sandboxPosts<P>(stack: Stack): Promise<P[]> {
  return (await (await fetch(new URL('/sandbox/posts', stack.url))).json()) as P[];
}
