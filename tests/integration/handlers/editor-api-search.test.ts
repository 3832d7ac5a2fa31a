/**
 * The article list's text search (`q`, over the headline and the URL, whatever the case
 * and accents) and section filter against the local stack, combined with the other
 * filters and paged with the same cursor rules as `status`; and the overdue mark on a
 * draft whose time has passed.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoShareStore } from '../../../shared/store/share-store';
import { channelConfigForFile } from '../../support/channel-config';
import {
  EDITOR_API_FUNCTIONS,
  ingestAndCompose,
  stackDocumentClient,
} from '../../support/handler-stack';
import { startTestStack, type TestStack } from '../../support/stack';
import { getJson } from '../../support/webhook';

const CONFIG = fileURLToPath(new URL('../../fixtures/channels/editor-api.json', import.meta.url));

type Page = {
  articles: {
    id: string;
    title: string;
    section: string | null;
    siteId: string;
    shares: { channelId: string; status: string; dueAt: string; overdue: boolean }[];
  }[];
  cursor: string | null;
};

let stack: TestStack;
let token: string;
const ids: Record<string, string> = {};

channelConfigForFile(CONFIG);

const ARTICLES = [
  {
    key: 'bolivia',
    title: 'Bolivia: what the coup means',
    section: 'Latin America',
    url: 'https://www.leftvoice.org/bolivia-coup',
  },
  {
    key: 'sao-paulo',
    title: 'Strike in São Paulo',
    section: 'latin america',
    url: 'https://www.leftvoice.org/strike-sp',
  },
  {
    key: 'unions',
    title: 'Unions and the election',
    section: 'Labor',
    url: 'https://www.leftvoice.org/CAFÉ-workers',
  },
  {
    key: 'none',
    title: 'A note from the editors',
    section: undefined,
    url: 'https://www.leftvoice.org/note',
  },
];

beforeAll(async () => {
  stack = await startTestStack({ sandboxes: false, functions: EDITOR_API_FUNCTIONS });
  token = stack.secrets.editorToken.value;
  for (const article of ARTICLES) {
    ids[article.key] = await ingestAndCompose(stack, {
      id: `search-${article.key}`,
      title: article.title,
      url: article.url,
      ...(article.section ? { section: article.section } : { section: undefined }),
    });
  }
});

afterAll(async () => {
  await stack?.dispose();
});

async function list(query: string): Promise<Page> {
  const answer = await getJson(stack.url, `/api/articles?${query}`, token);
  expect(answer.status, query).toBe(200);
  return answer.body as Page;
}

const keysOf = (page: Page) =>
  page.articles.map((a) => Object.entries(ids).find(([, id]) => id === a.id)?.[0]);

/** Every page, following the cursor: the keys in order and how many pages it took. */
async function walk(query: string): Promise<{ keys: (string | undefined)[]; pages: number }> {
  const keys: (string | undefined)[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await list(`${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    keys.push(...keysOf(page));
    cursor = page.cursor;
    pages += 1;
  } while (cursor && pages < 20);
  return { keys, pages };
}

describe('searching the article list', () => {
  it('finds a headline whatever its case and accents', async () => {
    expect(keysOf(await list('q=SAO%20PAULO'))).toEqual(['sao-paulo']);
    expect(keysOf(await list(`q=${encodeURIComponent('bolívia')}`))).toEqual(['bolivia']);
    expect(keysOf(await list('q=the'))).toEqual(['none', 'unions', 'bolivia']);
  });

  it('finds a URL, and nothing for a word in neither', async () => {
    expect(keysOf(await list('q=cafe-workers'))).toEqual(['unions']);
    expect(keysOf(await list('q=strike-sp'))).toEqual(['sao-paulo']);
    expect(await list('q=zebra')).toEqual({ articles: [], cursor: null });
  });

  it('keeps one section, compared without regard to case, with its section in the summary', async () => {
    const page = await list(`section=${encodeURIComponent('LATIN AMERICA')}`);
    expect(keysOf(page)).toEqual(['sao-paulo', 'bolivia']);
    expect(page.articles.map((a) => a.section)).toEqual(['latin america', 'Latin America']);
    expect(keysOf(await list('section=Labor'))).toEqual(['unions']);
  });

  it('combines the search with the section, the status and the channel filters', async () => {
    expect(keysOf(await list(`q=o&section=${encodeURIComponent('latin america')}`))).toEqual([
      'sao-paulo',
      'bolivia',
    ]);
    // Every article has a Threads draft; none has a cancelled share.
    expect(keysOf(await list('q=bolivia&status=draft'))).toEqual(['bolivia']);
    expect(keysOf(await list('q=bolivia&status=cancelled'))).toEqual([]);
    expect(keysOf(await list('q=strike&channel=x-newsroom'))).toEqual(['sao-paulo']);
  });

  it('pages a search one article at a time without skipping or repeating', async () => {
    const walked = await walk('q=the&limit=1');
    expect(walked.keys).toEqual(['none', 'unions', 'bolivia']);
    expect(walked.pages).toBeGreaterThanOrEqual(3);
  });

  it('answers 400 naming q or section when empty or over 200 characters', async () => {
    for (const [query, field] of [
      ['q=', 'q'],
      [`q=${'a'.repeat(201)}`, 'q'],
      ['section=', 'section'],
    ] as const) {
      const answer = await getJson(stack.url, `/api/articles?${query}`, token);
      expect(answer, query).toMatchObject({ status: 400, body: { fields: [{ field }] } });
    }
  });
});

describe('the summaries', () => {
  it('carry each share’s channel, status and dueAt, and mark a draft past its time as overdue', async () => {
    const store = new DynamoShareStore(stackDocumentClient(stack), stack.tableName);
    const ref = { articleId: ids.bolivia ?? '', channelId: 'threads-newsroom' };
    const draft = await store.get(ref);
    if (!draft) throw new Error('no Threads draft');
    const past = new Date(Date.now() - 5 * 60_000).toISOString();
    expect(await store.replace(draft, { ...draft, dueAt: past, version: draft.version + 1 })).toBe(
      true,
    );
    const page = await list('q=bolivia');
    const shares = page.articles[0]?.shares ?? [];
    expect(shares.find((s) => s.channelId === 'threads-newsroom')).toMatchObject({
      status: 'draft',
      dueAt: past,
      overdue: true,
    });
    expect(shares.find((s) => s.channelId === 'x-newsroom')).toMatchObject({
      status: 'scheduled',
      overdue: false,
    });
    expect(page.articles[0]?.siteId).toBe('default');
  });
});
