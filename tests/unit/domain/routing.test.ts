/**
 * Which channels take an article (shared/domain/routing.ts): routing rules, the
 * article's own choice of channels, the channel's site, and the CMS tag convention.
 */
import { describe, expect, it } from 'vitest';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { channelSchema } from '../../../shared/domain/channel';
import {
  choiceOfTags,
  choiceTag,
  languageMatches,
  overrideChannels,
  type Routable,
  type RoutingInput,
  routes,
  routingRefusal,
  routingSchema,
  takes,
} from '../../../shared/domain/routing';

const article = (patch: Partial<Routable> = {}): Routable => ({
  section: 'Sport',
  tags: ['Football', 'Champions League'],
  language: 'en-GB',
  priority: 'normal',
  ...patch,
});

const rules = (input: RoutingInput) => routingSchema.parse(input);

describe('routing rules', () => {
  it('take every article where there are none, or they name no list', () => {
    expect(routes(undefined, article())).toBe(true);
    expect(routes(rules({}), article())).toBe(true);
    expect(routes(rules({ exclude: {} }), article({ section: undefined, tags: [] }))).toBe(true);
  });

  describe('sections', () => {
    it('take an article whose section is listed', () => {
      expect(routes(rules({ sections: ['City', 'Sport'] }), article())).toBe(true);
    });
    it('leave one whose section is not, or that has none', () => {
      expect(routes(rules({ sections: ['City'] }), article())).toBe(false);
      expect(routes(rules({ sections: ['Sport'] }), article({ section: undefined }))).toBe(false);
      expect(routes(rules({ sections: ['Sport'] }), article({ section: '  ' }))).toBe(false);
    });
    it('compare without case and surrounding space', () => {
      expect(routes(rules({ sections: ['  sPORT '] }), article({ section: 'Sport' }))).toBe(true);
      expect(routes(rules({ sections: ['sport'] }), article({ section: ' SPORT ' }))).toBe(true);
    });
    it('match whole names, not parts of them', () => {
      expect(routes(rules({ sections: ['Sports'] }), article())).toBe(false);
      expect(routes(rules({ sections: ['Spo'] }), article())).toBe(false);
    });
  });

  describe('tags', () => {
    it('take an article with at least one listed tag', () => {
      expect(routes(rules({ tags: ['Tennis', 'football'] }), article())).toBe(true);
      expect(routes(rules({ tags: ['champions league'] }), article())).toBe(true);
    });
    it('leave one with none of them, or no tags at all', () => {
      expect(routes(rules({ tags: ['Tennis'] }), article())).toBe(false);
      expect(routes(rules({ tags: ['Tennis'] }), article({ tags: [] }))).toBe(false);
    });
    it('do not read the section as a tag', () => {
      expect(routes(rules({ tags: ['Sport'] }), article())).toBe(false);
    });
  });

  describe('languages', () => {
    it('take the language listed, and its regional variants by the primary subtag', () => {
      expect(routes(rules({ languages: ['en'] }), article({ language: 'en' }))).toBe(true);
      expect(routes(rules({ languages: ['en'] }), article({ language: 'en-GB' }))).toBe(true);
      expect(routes(rules({ languages: ['EN'] }), article({ language: 'en-gb' }))).toBe(true);
      expect(routes(rules({ languages: ['de', 'en'] }), article({ language: 'en-US' }))).toBe(true);
    });
    it('take a regional entry only for that region', () => {
      expect(routes(rules({ languages: ['en-GB'] }), article({ language: 'EN-gb' }))).toBe(true);
      expect(routes(rules({ languages: ['en-GB'] }), article({ language: 'en' }))).toBe(false);
      expect(routes(rules({ languages: ['en-GB'] }), article({ language: 'en-US' }))).toBe(false);
    });
    it('leave other languages, lookalike prefixes, and articles that name none', () => {
      expect(routes(rules({ languages: ['en'] }), article({ language: 'de' }))).toBe(false);
      expect(routes(rules({ languages: ['es'] }), article({ language: 'est' }))).toBe(false);
      expect(routes(rules({ languages: ['en'] }), article({ language: undefined }))).toBe(false);
    });
    it('match on subtag boundaries', () => {
      expect(languageMatches('zh', 'zh-Hant-TW')).toBe(true);
      expect(languageMatches('zh-Hant', 'zh-Hant-TW')).toBe(true);
      expect(languageMatches('zh-Han', 'zh-Hant-TW')).toBe(false);
      expect(languageMatches('', 'en')).toBe(false);
    });
  });

  describe('priorities', () => {
    it('take an article of a listed priority, and leave the others', () => {
      expect(routes(rules({ priorities: ['breaking'] }), article({ priority: 'breaking' }))).toBe(
        true,
      );
      expect(routes(rules({ priorities: ['breaking'] }), article())).toBe(false);
      expect(
        routes(rules({ priorities: ['normal', 'evergreen'] }), article({ priority: 'evergreen' })),
      ).toBe(true);
    });
    it('are read without case and space', () => {
      expect(rules({ priorities: [' Breaking '] }).priorities).toEqual(['breaking']);
    });
  });

  describe('exclude', () => {
    it('leaves an article whose section is excluded', () => {
      expect(routes(rules({ exclude: { sections: ['sport'] } }), article())).toBe(false);
      expect(routes(rules({ exclude: { sections: ['City'] } }), article())).toBe(true);
    });
    it('leaves an article with any excluded tag', () => {
      expect(routes(rules({ exclude: { tags: ['Sponsored', 'FOOTBALL'] } }), article())).toBe(
        false,
      );
      expect(routes(rules({ exclude: { tags: ['Sponsored'] } }), article())).toBe(true);
    });
    it('takes an article with no section or tags to exclude', () => {
      const bare = article({ section: undefined, tags: [] });
      expect(routes(rules({ exclude: { sections: ['Sport'], tags: ['Football'] } }), bare)).toBe(
        true,
      );
    });
    it('wins over an include list that matches', () => {
      const both = rules({ sections: ['Sport'], exclude: { tags: ['Football'] } });
      expect(routes(both, article())).toBe(false);
    });
  });

  describe('several lists', () => {
    const all = rules({
      sections: ['Sport'],
      tags: ['Football'],
      languages: ['en'],
      priorities: ['normal', 'breaking'],
    });
    it('take an article only when every include list matches', () => {
      expect(routes(all, article())).toBe(true);
      expect(routes(all, article({ section: 'City' }))).toBe(false);
      expect(routes(all, article({ tags: ['Tennis'] }))).toBe(false);
      expect(routes(all, article({ language: 'fr' }))).toBe(false);
      expect(routes(all, article({ priority: 'evergreen' }))).toBe(false);
    });
  });

  describe('the schema', () => {
    it('refuses empty lists, which would match nothing', () => {
      expect(routingSchema.safeParse({ sections: [] }).success).toBe(false);
      expect(routingSchema.safeParse({ tags: [] }).success).toBe(false);
      expect(routingSchema.safeParse({ exclude: { tags: [] } }).success).toBe(false);
      expect(routingSchema.safeParse({ sections: ['  '] }).success).toBe(false);
    });
    it('refuses unknown priorities, malformed languages and unknown fields', () => {
      expect(routingSchema.safeParse({ priorities: ['urgent'] }).success).toBe(false);
      expect(routingSchema.safeParse({ languages: ['english'] }).success).toBe(false);
      expect(routingSchema.safeParse({ section: ['Sport'] }).success).toBe(false);
      expect(routingSchema.safeParse({ exclude: { language: ['en'] } }).success).toBe(false);
    });
    it('trims entries', () => {
      expect(rules({ sections: [' Sport '], languages: [' en '] })).toEqual({
        sections: ['Sport'],
        languages: ['en'],
      });
    });
  });
});

describe('a channel in the channels file', () => {
  const parse = (input: Record<string, unknown>) =>
    channelSchema.safeParse({
      id: 'x-sport',
      platform: 'x',
      account: '@sport',
      template: '{title} {url}',
      ...input,
    });

  it('belongs to the default site and takes everything unless it says otherwise', () => {
    const parsed = parse({});
    expect(parsed.success && parsed.data.siteId).toBe('default');
    expect(parsed.success && parsed.data.routing).toBeUndefined();
  });

  it('takes routing rules and a site id spelt like a channel id', () => {
    const parsed = parse({ siteId: 'gazette', routing: { sections: ['Sport'] } });
    expect(parsed.success && parsed.data).toMatchObject({
      siteId: 'gazette',
      routing: { sections: ['Sport'] },
    });
    for (const siteId of ['Gazette', '', '-gazette', 'the gazette', 'g'.repeat(64)]) {
      expect(parse({ siteId }).success).toBe(false);
    }
  });

  it('names the routing field that is wrong', () => {
    const parsed = parse({ routing: { sections: [] } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['routing', 'sections']);
  });
});

describe('a channel takes an article', () => {
  const channel = (input: Record<string, unknown> = {}) =>
    channelSchema.parse({
      id: 'x-sport',
      platform: 'x',
      account: '@sport',
      template: '{title} {url}',
      ...input,
    });
  const generic = (patch: Record<string, unknown> = {}) =>
    parseGenericArticle({
      id: 'a1',
      url: 'https://news.example.org/a1',
      title: 'A title',
      publishedAt: '2026-03-02T08:00:00Z',
      section: 'Sport',
      tags: ['Football'],
      ...patch,
    });

  it('of the default site, where neither names one', () => {
    expect(channel().siteId).toBe('default');
    expect(generic().siteId).toBeUndefined();
    expect(takes(channel(), generic())).toBe(true);
    expect(takes(channel({ siteId: 'default' }), { ...generic(), siteId: 'default' })).toBe(true);
  });

  it('never of another site, whatever the article chooses', () => {
    expect(takes(channel({ siteId: 'gazette' }), generic())).toBe(false);
    expect(takes(channel(), { ...generic(), siteId: 'gazette' })).toBe(false);
    expect(
      takes(channel({ siteId: 'herald' }), {
        ...generic({ channels: { only: ['x-sport'] } }),
        siteId: 'gazette',
      }),
    ).toBe(false);
    expect(takes(channel({ siteId: 'gazette' }), { ...generic(), siteId: 'gazette' })).toBe(true);
  });

  it('as its routing says, where the article makes no choice', () => {
    const sport = channel({ routing: { sections: ['sport'] } });
    expect(takes(sport, generic())).toBe(true);
    expect(takes(sport, generic({ section: 'City' }))).toBe(false);
  });

  it('not when the article skips it, even where its routing takes it', () => {
    expect(takes(channel(), generic({ channels: { skip: ['x-sport'] } }))).toBe(false);
    expect(takes(channel(), generic({ channels: { skip: ['other'] } }))).toBe(true);
  });

  it('only when the article names it with only, and then whatever its routing says', () => {
    const city = channel({ routing: { sections: ['City'] } });
    expect(takes(city, generic({ channels: { only: ['x-sport'] } }))).toBe(true);
    expect(takes(channel(), generic({ channels: { only: ['x-city'] } }))).toBe(false);
  });

  it('not when the article both names it in only and skips it', () => {
    expect(takes(channel(), generic({ channels: { only: ['x-sport'], skip: ['x-sport'] } }))).toBe(
      false,
    );
  });

  it("follows an editor's choice over the article's and the routing rules, but never across sites", () => {
    const added = { added: ['x-sport'], dropped: [], version: 1 };
    const dropped = { added: [], dropped: ['x-sport'], version: 1 };
    // Routing leaves it out, and the article skips it: an editor's add takes it all the same.
    expect(takes(channel(), generic({ section: 'City' }), added)).toBe(true);
    expect(takes(channel(), generic({ channels: { skip: ['x-sport'] } }), added)).toBe(true);
    expect(takes(channel(), generic({ channels: { only: ['x-city'] } }), added)).toBe(true);
    // Routing and the article's only take it: an editor's drop leaves it out.
    expect(takes(channel(), generic(), dropped)).toBe(false);
    expect(takes(channel(), generic({ channels: { only: ['x-sport'] } }), dropped)).toBe(false);
    expect(takes(channel({ siteId: 'gazette' }), generic(), added)).toBe(false);
  });

  it("keeps each channel in the list of the editor's last word", () => {
    const first = overrideChannels(undefined, { add: ['x-sport'], drop: ['tg-all'] });
    expect(first).toEqual({ added: ['x-sport'], dropped: ['tg-all'], version: 1 });
    const second = overrideChannels(first, { add: ['tg-all'], drop: ['x-sport'] });
    expect(second).toEqual({ added: ['tg-all'], dropped: ['x-sport'], version: 2 });
  });

  it('reads the ids without case and space, and ignores ids no channel has', () => {
    expect(takes(channel(), generic({ channels: { only: [' X-Sport ', 'nobody'] } }))).toBe(true);
    expect(takes(channel(), generic({ channels: { skip: ['X-SPORT'] } }))).toBe(false);
    // only names no channel there is: no channel takes it, none is an error
    expect(takes(channel(), generic({ channels: { only: ['nobody'] } }))).toBe(false);
  });

  it('takes an empty only or skip for no choice', () => {
    const none = generic({ channels: { only: [], skip: [] } });
    expect(none.channels).toBeUndefined();
    expect(takes(channel(), none)).toBe(true);
    expect(generic({ channels: {} }).channels).toBeUndefined();
  });
});

describe('the CMS tag convention', () => {
  it('reads crier-only- and crier-skip- slugs, and Ghost internal tags', () => {
    expect(choiceTag('crier-only-x-desk')).toEqual({ kind: 'only', channelId: 'x-desk' });
    expect(choiceTag('crier-skip-masto-1')).toEqual({ kind: 'skip', channelId: 'masto-1' });
    expect(choiceTag('hash-crier-only-x-desk')).toEqual({ kind: 'only', channelId: 'x-desk' });
    expect(choiceTag('#crier-skip-x-desk')).toEqual({ kind: 'skip', channelId: 'x-desk' });
    expect(choiceTag(' Crier-Only-X-Desk ')).toEqual({ kind: 'only', channelId: 'x-desk' });
  });

  it('reads nothing else as a choice', () => {
    for (const slug of [
      'crier',
      'crier-only-',
      'crier-only',
      'crier-maybe-x-desk',
      'not-crier-only-x-desk',
      'hash-newsletter',
      'crier-only-x desk',
      '',
      null,
      undefined,
    ]) {
      expect(choiceTag(slug)).toBeUndefined();
    }
  });

  it('gathers the choice of a post’s tags, without duplicates', () => {
    expect(
      choiceOfTags(['news', 'crier-only-x-desk', 'hash-crier-only-x-desk', 'crier-skip-tg']),
    ).toEqual({ only: ['x-desk'], skip: ['tg'] });
    expect(choiceOfTags(['news', 'hash-breaking'])).toBeUndefined();
    expect(choiceOfTags([])).toBeUndefined();
  });
});

describe('why routing leaves an article out', () => {
  it('says nothing where the rules take it', () => {
    expect(routingRefusal(undefined, article())).toBeUndefined();
    expect(routingRefusal(rules({ sections: ['sport'] }), article())).toBeUndefined();
  });

  it('names the field, the value and the list', () => {
    expect(routingRefusal(rules({ sections: ['News'] }), article())).toBe(
      'section Sport not in [News]',
    );
    expect(routingRefusal(rules({ sections: ['News'] }), article({ section: ' ' }))).toBe(
      'no section; routing wants [News]',
    );
    expect(routingRefusal(rules({ tags: ['Tennis'] }), article())).toBe(
      'no tag in [Tennis] (tags: Football, Champions League)',
    );
    expect(routingRefusal(rules({ languages: ['fr'] }), article())).toBe(
      'language en-GB not in [fr]',
    );
    expect(routingRefusal(rules({ languages: ['fr'] }), article({ language: undefined }))).toBe(
      'no language; routing wants [fr]',
    );
    expect(routingRefusal(rules({ priorities: ['breaking'] }), article())).toBe(
      'priority normal not in [breaking]',
    );
    expect(routingRefusal(rules({ exclude: { sections: ['sport'] } }), article())).toBe(
      'section Sport is excluded',
    );
    expect(routingRefusal(rules({ exclude: { tags: ['champions league'] } }), article())).toBe(
      'tag Champions League is excluded',
    );
  });

  it('gives the first failing rule, the include lists before the excludes', () => {
    const routing = rules({ sections: ['News'], exclude: { tags: ['Football'] } });
    expect(routingRefusal(routing, article())).toBe('section Sport not in [News]');
    expect(routes(routing, article())).toBe(false);
  });
});
