/**
 * `GET /sandbox/posts/{platform}/{remoteId}` (local runtime only): one post a sandbox
 * accepted, as a page a person opens from the editor UI's "View the post" link, with the
 * replies that continue its thread. A post the sandboxes do not hold (a channel given
 * real credentials posts to the network itself) answers 404 with a link to the address
 * the editor UI passed in `remote`, when that is a web address.
 */
import { NETWORK_NAMES, PLATFORMS, type Platform } from '../../../shared/domain/platform';
import type { LocalRequest, LocalResponse } from '../http-gateway';
import type { SandboxPost } from './posts';

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f3f4f6;color:#111827}
main{max-width:40rem;margin:0 auto;padding:1rem}
article{background:#fff;border:1px solid #d1d5db;border-radius:12px;padding:1rem;margin:0 0 1rem}
.text{white-space:pre-wrap;overflow-wrap:anywhere}
.meta{color:#4b5563;font-size:.9rem}
.card{border:1px solid #d1d5db;border-radius:8px;padding:.5rem .75rem;margin-top:.5rem;overflow-wrap:anywhere}`;

function page(title: string, body: string, status: number): LocalResponse {
  return {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`,
  };
}

function postHtml(post: SandboxPost): string {
  const card = post.card
    ? `<div class="card"><strong>${escapeHtml(post.card.title ?? post.card.url)}</strong>${
        post.card.description ? `<br>${escapeHtml(post.card.description)}` : ''
      }<br><span class="meta">${escapeHtml(post.card.url)}</span></div>`
    : '';
  const media = post.media?.length
    ? `<p class="meta">${post.media.length} image${post.media.length === 1 ? '' : 's'}: ${post.media
        .map(
          (m) =>
            `${escapeHtml(m.mimeType)}, ${m.bytes.toLocaleString('en')} bytes${m.alt ? `, alt “${escapeHtml(m.alt)}”` : ''}`,
        )
        .join('; ')}</p>`
    : '';
  return `<article><p class="meta"><strong>${escapeHtml(post.account)}</strong> · <time datetime="${escapeHtml(post.receivedAt)}">${escapeHtml(post.receivedAt)}</time> · id ${escapeHtml(post.remoteId)}</p><div class="text">${escapeHtml(post.text)}</div>${card}${media}</article>`;
}

/**
 * The thread that follows `post`: each reply to the one before, in the order received. A
 * comment (a correction note on Facebook, Instagram, LinkedIn) continues no thread.
 */
function repliesTo(post: SandboxPost, posts: SandboxPost[]): SandboxPost[] {
  const replies: SandboxPost[] = [];
  let last = post;
  for (;;) {
    const next = posts.find(
      (p) => p.platform === post.platform && p.inReplyToId === last.remoteId && !p.comment,
    );
    if (!next || replies.includes(next)) return replies;
    replies.push(next);
    last = next;
  }
}

export function sandboxPostPage(list: () => SandboxPost[]) {
  return async (request: LocalRequest): Promise<LocalResponse> => {
    const platform = request.pathParameters.platform ?? '';
    const remoteId = request.pathParameters.remoteId ?? '';
    if (!(PLATFORMS as readonly string[]).includes(platform)) {
      return page('Not a network', `<h1>No sandbox for “${escapeHtml(platform)}”</h1>`, 404);
    }
    const network = NETWORK_NAMES[platform as Platform];
    const posts = list();
    const post = posts.find((p) => p.platform === platform && p.remoteId === remoteId);
    if (!post) {
      const remote = request.query.get('remote') ?? '';
      const link = /^https:\/\//i.test(remote)
        ? `<p>The network's own address: <a href="${escapeHtml(remote)}" rel="noopener noreferrer">${escapeHtml(remote)}</a></p>`
        : '';
      return page(
        `Not in the ${network} sandbox`,
        `<h1>Not in the ${escapeHtml(network)} sandbox</h1><p>The local ${escapeHtml(network)} sandbox holds no post ${escapeHtml(remoteId)}: the channel may post to ${escapeHtml(network)} itself, or the local runtime was restarted since (the sandboxes keep posts in memory).</p>${link}`,
        404,
      );
    }
    const replies = repliesTo(post, posts);
    const thread = replies.length
      ? `<h2>The thread goes on (${replies.length})</h2>${replies.map(postHtml).join('')}`
      : '';
    return page(
      `${network} sandbox: a post by ${post.account}`,
      `<h1>${escapeHtml(network)} sandbox</h1><p class="meta">This post went to the local ${escapeHtml(network)} sandbox, not to ${escapeHtml(network)}; on the network it would be at ${escapeHtml(post.url)}.</p>${postHtml(post)}${thread}`,
      200,
    );
  };
}
