/**
 * How fast Crier reads a page's card, against a baseline measured in the same run: a
 * full htmlparser2 pass over the whole document, which is what a naive extractor does.
 * Prints ratios, not absolute targets: these machines are shared and noisy.
 * Run: npx tsx bench/extract.bench.ts
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from 'htmlparser2';
import { extractCard } from '../shared/preview/extract';

const DIR = '../shared/fixtures/pages';
const pages = readdirSync(DIR).map((name) => ({
  html: readFileSync(join(DIR, name, 'input.html')),
  url: `https://${name}.example/`,
}));

function cpuMs(run: () => void, rounds: number): number {
  const started = process.cpuUsage();
  for (let i = 0; i < rounds; i++) run();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000 / rounds;
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

for (const page of pages) extractCard(page.html, page.url);
const rows = pages.map((page) => {
  const crier = cpuMs(() => extractCard(page.html, page.url), 10);
  const baseline = cpuMs(() => fullParse(page.html), 10);
  return { crier, baseline };
});
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const crier = sum(rows.map((r) => r.crier));
const baseline = sum(rows.map((r) => r.baseline));
console.log(`pages: ${rows.length}`);
console.log(`extractCard: ${(crier / rows.length).toFixed(2)} ms a page (CPU)`);
console.log(`full parse baseline: ${(baseline / rows.length).toFixed(2)} ms a page (CPU)`);
console.log(`ratio extractCard / baseline: ${(crier / baseline).toFixed(2)}`);
