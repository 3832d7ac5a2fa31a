/**
 * How fast and how well Crier reads a page's card, on the real fixture pages
 * (tests/fixtures/pages/*: input.html and the fields other suites expect of it), against three
 * baselines measured in the same run: a full htmlparser2 pass over the whole document
 * (what a naive extractor costs), open-graph-scraper and metascraper. The last two live
 * in bench/node_modules only (bench/package.json), never in Crier.
 * Run: npx tsx bench/extract.bench.ts [--quick]
 */
import { createRequire } from 'node:module';
import { Parser } from 'htmlparser2';
import { z } from 'zod';
import { extractCard } from '../shared/preview/extract';
import {
  agrees,
  type CardFields,
  FIELDS,
  type Field,
  hostNames,
  readFixturePages,
} from '../tests/support/page-agreement';
import {
  type BenchRow,
  count,
  cpuMs,
  cpuMsAsync,
  formatRatio,
  ms,
  QUICK,
  report,
} from './support/report';

const pages = readFixturePages();
type Card = CardFields;

/**
 * What names each page's site (its declared name and its host's labels), which a title
 * may carry appended: the same for every extractor compared.
 */
const siteNames = pages.map((page) => {
  const { siteName } = extractCard(page.html, page.url);
  return [...(siteName ? [siteName] : []), ...hostNames(page.url)];
});

type Tally = Record<Field, { agreed: number; expected: number }>;

/** Fields agreeing with expected.json, as the agreement test counts them (normalized). */
function tally(cards: Card[]): Tally {
  const result = Object.fromEntries(
    FIELDS.map((field) => [field, { agreed: 0, expected: 0 }]),
  ) as Tally;
  pages.forEach((page, i) => {
    for (const field of FIELDS) {
      const want = page.expected[field];
      if (!want || page.notCompared?.[field]) continue;
      result[field].expected += 1;
      if (agrees(field, cards[i]?.[field], want, true, siteNames[i])) result[field].agreed += 1;
    }
  });
  return result;
}

function agreement(result: Tally): { text: string; detail: string } {
  const agreed = FIELDS.reduce((sum, field) => sum + result[field].agreed, 0);
  const expected = FIELDS.reduce((sum, field) => sum + result[field].expected, 0);
  return {
    text: `${agreed}/${expected} (${((agreed / expected) * 100).toFixed(1)}%)`,
    detail: FIELDS.map((f) => `${f} ${result[f].agreed}/${result[f].expected}`).join(', '),
  };
}

// --- Crier and the full-parse baseline -------------------------------------------------

function crierCard(page: (typeof pages)[number]): Card {
  const card = extractCard(page.html, page.url);
  return {
    title: card.title,
    description: card.description,
    image: card.image,
    url: card.canonicalUrl ?? card.url,
  };
}

function fullParse(html: Buffer): void {
  let metas = 0;
  const parser = new Parser({
    onopentag(name) {
      if (name === 'meta') metas++;
    },
  });
  parser.write(html.toString('utf8'));
  parser.end();
  if (metas < 0) throw new Error('unreachable');
}

// --- open-graph-scraper and metascraper, from bench/node_modules ------------------------

const requireBench = createRequire(new URL('./package.json', import.meta.url));

/** Loads a package the benchmark installed, or says how to install it. */
function load(name: string): unknown {
  try {
    return requireBench(name);
  } catch (error) {
    throw new Error(
      `${name} is not installed in bench/node_modules: run npm run bench (it installs it), or npm --prefix bench ci`,
      { cause: error },
    );
  }
}

const callable = z.custom<(...args: unknown[]) => unknown>((value) => typeof value === 'function');
const ogsResultSchema = z.object({
  result: z.object({
    ogTitle: z.string().optional(),
    twitterTitle: z.string().optional(),
    dcTitle: z.string().optional(),
    ogDescription: z.string().optional(),
    twitterDescription: z.string().optional(),
    ogImage: z.array(z.object({ url: z.string() })).optional(),
    twitterImage: z.array(z.object({ url: z.string() })).optional(),
    ogUrl: z.string().optional(),
  }),
});
const metascraperSchema = z.object({
  title: z.string().nullish(),
  description: z.string().nullish(),
  image: z.string().nullish(),
  url: z.string().nullish(),
});

function openGraphScraper(): (page: (typeof pages)[number]) => Promise<Card> {
  const module = z.object({ default: callable }).or(callable).parse(load('open-graph-scraper'));
  const ogs = typeof module === 'function' ? module : module.default;
  return async (page) => {
    const { result } = ogsResultSchema.parse(await ogs({ html: page.html.toString('utf8') }));
    return {
      title: result.ogTitle ?? result.twitterTitle ?? result.dcTitle,
      description: result.ogDescription ?? result.twitterDescription,
      image: result.ogImage?.[0]?.url ?? result.twitterImage?.[0]?.url,
      url: result.ogUrl,
    };
  };
}

function metascraper(): (page: (typeof pages)[number]) => Promise<Card> {
  const rule = (name: string) => callable.parse(load(name))();
  const scrape = callable.parse(
    callable.parse(load('metascraper'))(
      ['metascraper-title', 'metascraper-description', 'metascraper-image', 'metascraper-url'].map(
        rule,
      ),
    ),
  );
  return async (page) => {
    const found = metascraperSchema.parse(
      await scrape({ html: page.html.toString('utf8'), url: page.url }),
    );
    return {
      title: found.title ?? undefined,
      description: found.description ?? undefined,
      image: found.image ?? undefined,
      url: found.url ?? undefined,
    };
  };
}

// --- the run -----------------------------------------------------------------------------

const rounds = QUICK ? 3 : 10;
const libraryRounds = QUICK ? 1 : 3;
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

// Warm up every extractor once (JIT, lazy requires) before timing any.
const crierCards = pages.map(crierCard);
const ogs = openGraphScraper();
const meta = metascraper();
const ogsCards: Card[] = [];
const metaCards: Card[] = [];
for (const page of pages) {
  ogsCards.push(await ogs(page));
  metaCards.push(await meta(page));
}

const crierMs = sum(pages.map((page) => cpuMs(() => extractCard(page.html, page.url), rounds)));
const parseMs = sum(pages.map((page) => cpuMs(() => fullParse(page.html), rounds)));
let ogsMs = 0;
let metaMs = 0;
for (const page of pages) {
  ogsMs += await cpuMsAsync(() => ogs(page), libraryRounds);
  metaMs += await cpuMsAsync(() => meta(page), libraryRounds);
}

const n = pages.length;
const crierAgreement = agreement(tally(crierCards));
const ogsAgreement = agreement(tally(ogsCards));
const metaAgreement = agreement(tally(metaCards));
const rows: BenchRow[] = [
  {
    benchmark: 'link preview',
    measure: `extractCard, CPU a page (${n} pages)`,
    crier: ms(crierMs / n),
    baseline: ms(parseMs / n),
    ratio: crierMs / parseMs,
    note: 'a full htmlparser2 pass over the page',
  },
  {
    benchmark: 'link preview',
    measure: 'extractCard vs open-graph-scraper, CPU a page',
    crier: ms(crierMs / n),
    baseline: ms(ogsMs / n),
    ratio: crierMs / ogsMs,
    note: 'open-graph-scraper 6.12.0 on the same HTML',
  },
  {
    benchmark: 'link preview',
    measure: 'extractCard vs metascraper, CPU a page',
    crier: ms(crierMs / n),
    baseline: ms(metaMs / n),
    ratio: crierMs / metaMs,
    note: 'metascraper 5.49.24 (title, description, image, url rules)',
  },
  {
    benchmark: 'link preview',
    measure: 'fields agreeing with expected.json',
    crier: crierAgreement.text,
    baseline: `ogs ${ogsAgreement.text}`,
    note: `Crier: ${crierAgreement.detail}; ogs: ${ogsAgreement.detail}`,
  },
  {
    benchmark: 'link preview',
    measure: 'fields agreeing with expected.json',
    crier: crierAgreement.text,
    baseline: `metascraper ${metaAgreement.text}`,
    note: `metascraper: ${metaAgreement.detail} (45 of the pages come from metascraper's own test suite)`,
  },
];
report(rows);
if (!process.env.CRIER_BENCH_OUT) {
  process.stdout.write(
    `\n${count(n)} pages; ratio < 1 means Crier is cheaper (${formatRatio(crierMs / metaMs)} of metascraper's CPU)\n`,
  );
}
