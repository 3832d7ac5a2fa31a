/** Where the editor is, read from the address's fragment (web/src/router.ts). */
import { describe, expect, it } from 'vitest';
import { channelHref, parseRoute } from '../../../web/src/router';

describe('the channel pages in the address', () => {
  it('name the list, a new channel and an edit, and read back what channelHref writes', () => {
    expect(parseRoute('#/channels').view).toBe('channels');
    const fresh = parseRoute(channelHref());
    expect(fresh.view).toBe('channel');
    expect(fresh.view === 'channel' && fresh.channelId).toBeUndefined();
    expect(parseRoute(channelHref('x-north'))).toMatchObject({
      view: 'channel',
      channelId: 'x-north',
    });
    // A channel may be called "new": its edit page is still its own.
    expect(parseRoute(channelHref('new'))).toMatchObject({ view: 'channel', channelId: 'new' });
  });

  it('name the pick page the callback sends to after a consent that reached several accounts', () => {
    expect(parseRoute('#/channels/facebook-north/connect/AbC_d-123456789012345678')).toMatchObject({
      view: 'connect-choice',
      channelId: 'facebook-north',
      choiceId: 'AbC_d-123456789012345678',
    });
    expect(parseRoute('#/channels/facebook-north/connect').view).toBe('channels');
  });

  it('leave the other views as they were', () => {
    expect(parseRoute('#/queue?status=draft').view).toBe('queue');
    expect(parseRoute('#/calendar').view).toBe('calendar');
    expect(parseRoute('#/articles/a%2F1')).toMatchObject({ view: 'article', articleId: 'a/1' });
    expect(parseRoute('#/channels/x-north/nonsense').view).toBe('channels');
  });
});

describe('the New post page in the address', () => {
  it('is #/posts/new, and a desk post opens as an article', () => {
    expect(parseRoute('#/posts/new').view).toBe('new-post');
    expect(parseRoute('#/posts').view).toBe('queue');
    expect(parseRoute(`#/articles/desk-${'a'.repeat(32)}`)).toMatchObject({
      view: 'article',
      articleId: `desk-${'a'.repeat(32)}`,
    });
  });
});
