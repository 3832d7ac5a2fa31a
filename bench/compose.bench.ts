/**
 * Composition throughput per network: each composer of shared/platforms/composers.ts on
 * the fixture articles (the bundled sample article and one article per fixture page),
 * against a plain fill of the same channel's template measured in the same run: the
 * floor any composer pays, without counting, fitting, hashtags or UTM parameters.
 * Run: npx tsx bench/compose.bench.ts [--quick]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { loadChannelsConfig } from '../shared/config/channels';
import type { Article } from '../shared/domain/article';
import { parseGenericArticle } from '../shared/domain/article-payload';
import type { Channel } from '../shared/domain/channel';
import { composerFor } from '../shared/platforms/composers';
import { type BenchRow, count, cpuMs, ms, QUICK, report } from './support/report';

const FIXTURES = new URL('../tests/fixtures/', import.meta.url);

const pageSchema = z.object({
  expected: z.object({
    url: z.string(),
    title: z.string(),
    description: z.string().nullish(),
    author: z.string().nullish(),
    date: z.string().nullish(),
    lang: z.string().nullish(),
  }),
});

/** An article as a CMS would send it for each fixture page, and the sample article. */
function fixtureArticles(): Article[] {
  const sample = parseGenericArticle(
    JSON.parse(
      readFileSync(
        new URL('../tests/fixtures/webhooks/generic-article.json', import.meta.url),
        'utf8',
      ),
    ),
  );
  const pagesDir = new URL('pages/', FIXTURES);
  const pages = readdirSync(pagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      // Only the pages whose suite asserts both a URL and a headline make an article: the
      // others' expected.json holds just the fields their suite checks.
      const parsed = pageSchema.safeParse(
        JSON.parse(readFileSync(new URL(`${entry.name}/expected.json`, pagesDir), 'utf8')),
      );
      if (!parsed.success) return [];
      const { expected } = parsed.data;
      return parseGenericArticle({
        id: entry.name,
        url: expected.url,
        title: expected.title,
        summary: expected.description ?? undefined,
        authors: expected.author ? [{ name: expected.author }] : undefined,
        language: expected.lang ?? undefined,
        section: 'Technology',
        tags: ['Startups', 'Media'],
        publishedAt: expected.date ?? '2020-01-01T00:00:00Z',
      });
    });
  return [sample, ...pages];
}

/** The baseline: every placeholder replaced by its raw value, nothing counted or cut. */
function plainFill(article: Article, channel: Channel): string {
  const values: Record<string, string> = {
    title: article.title,
    summary: article.summary ?? '',
    url: article.url,
    section: article.section ?? '',
    authors: article.authors.map((a) => a.name).join(', '),
    author: article.authors[0]?.name ?? '',
    handles: article.authors.map((a) => a.name).join(', '),
    hashtags: article.tags.map((tag) => `#${tag.replace(/\s+/g, '')}`).join(' '),
    imageCredit: article.imageCredit ?? '',
    site: '',
  };
  return channel.template.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? '');
}

const config = loadChannelsConfig(undefined);
const settings = { site: config.site, authors: config.authors };
const articles = fixtureArticles();
const rounds = QUICK ? 3 : 20;

const rows: BenchRow[] = [];
let totalCrier = 0;
let totalBaseline = 0;
for (const channel of config.channels) {
  const compose = composerFor(channel.platform);
  if (!compose) continue;
  // Warm up (JIT, the networks' lazily built tables) before timing.
  for (const article of articles) compose(article, channel, settings);
  const crier = cpuMs(() => {
    for (const article of articles) compose(article, channel, settings);
  }, rounds);
  const baseline = cpuMs(() => {
    for (const article of articles) plainFill(article, channel);
  }, rounds);
  const perPost = crier / articles.length;
  totalCrier += crier;
  totalBaseline += baseline;
  rows.push({
    benchmark: 'compose',
    measure: `${channel.platform}, CPU a post`,
    crier: ms(perPost),
    baseline: ms(baseline / articles.length),
    ratio: crier / baseline,
    note: `${count(1000 / perPost)} posts/s; baseline: a plain fill of the same template`,
  });
}
rows.push({
  benchmark: 'compose',
  measure: `all ${config.channels.length} channels, CPU an article`,
  crier: ms(totalCrier / articles.length),
  baseline: ms(totalBaseline / articles.length),
  ratio: totalCrier / totalBaseline,
  note: `${articles.length} fixture articles`,
});
report(rows);
