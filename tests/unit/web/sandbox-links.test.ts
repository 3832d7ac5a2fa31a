import { afterEach, describe, expect, it } from 'vitest';
import { postLink, postsGoToSandbox, setSandboxPosts } from '../../../web/src/sandbox-links';

const published = {
  platform: 'bluesky',
  remoteId: 'at://did:plc:abc/app.bsky.feed.post/3n42yykmtrhmu',
  remoteUrl: 'https://bsky.app/profile/newsroom.bsky.social/post/3n42yykmtrhmu',
};

afterEach(() => setSandboxPosts(undefined));

describe('postLink', () => {
  it("opens the network's own page where the runtime names no sandbox (AWS)", () => {
    expect(postsGoToSandbox()).toBe(false);
    expect(postLink(published)).toBe(published.remoteUrl);
    expect(postLink({ platform: 'x', remoteId: null, remoteUrl: null })).toBeUndefined();
  });

  it("opens the sandbox's page for the post locally, the id kept in one path segment", () => {
    setSandboxPosts('/sandbox/posts');
    expect(postsGoToSandbox()).toBe(true);
    expect(postLink(published)).toBe(
      `/sandbox/posts/bluesky/at%3A%2F%2Fdid%3Aplc%3Aabc%2Fapp.bsky.feed.post%2F3n42yykmtrhmu?remote=${encodeURIComponent(published.remoteUrl)}`,
    );
    // not yet published: no link
    expect(postLink({ platform: 'x', remoteId: null, remoteUrl: null })).toBeUndefined();
  });
});
