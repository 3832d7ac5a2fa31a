/**
 * `npm run bench [-- --quick] [-- <name>...]`: every benchmark, each in a node process of
 * its own, and one table of their rows with the machine they ran on. Installs the
 * comparison libraries into bench/node_modules first when they are missing.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { type BenchRow, table } from './support/report';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** In the order they run: the cheap ones first, the stack ones last. */
const BENCHMARKS = [
  'extract',
  'compose',
  'best-times',
  'bundles',
  'dispatch',
  'pipeline',
  'requests',
] as const;

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const named = args.filter((arg) => !arg.startsWith('--'));
const unknown = named.filter((name) => !BENCHMARKS.some((b) => b === name));
if (unknown.length) {
  process.stderr.write(
    `Unknown benchmark ${unknown.join(', ')}; there are ${BENCHMARKS.join(', ')}\n`,
  );
  process.exit(2);
}
const chosen = BENCHMARKS.filter((name) => named.length === 0 || named.includes(name));

/** open-graph-scraper and metascraper, from bench/package-lock.json; re2 compiles on install. */
function ensureLibraries(): void {
  const needed = ['open-graph-scraper', 'metascraper', 're2'];
  if (needed.every((name) => existsSync(join(BENCH_DIR, 'node_modules', name, 'package.json')))) {
    return;
  }
  process.stderr.write(
    'Installing the comparison libraries into bench/node_modules (npm ci; re2 compiles from source, a few minutes)...\n',
  );
  execFileSync('npm', ['--prefix', BENCH_DIR, 'ci', '--no-audit', '--no-fund'], {
    stdio: 'inherit',
    cwd: ROOT,
  });
}

const rowSchema = z.object({
  benchmark: z.string(),
  measure: z.string(),
  crier: z.string(),
  baseline: z.string(),
  ratio: z.number().optional(),
  note: z.string().optional(),
});

function runOne(name: string, out: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(BENCH_DIR, `${name}.bench.ts`)],
      {
        cwd: ROOT,
        stdio: ['ignore', 'inherit', 'inherit'],
        env: {
          ...process.env,
          CRIER_BENCH_OUT: out,
          CRIER_BENCH_QUICK: quick ? '1' : '0',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
      },
    );
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

if (chosen.includes('extract')) ensureLibraries();
const work = mkdtempSync(join(tmpdir(), 'crier-bench-run-'));
const started = Date.now();
const loadBefore = loadavg()[0] ?? 0;
const rows: BenchRow[] = [];
const timings: string[] = [];
try {
  for (const name of chosen) {
    const out = join(work, `${name}.jsonl`);
    const benchStarted = Date.now();
    process.stderr.write(`bench: ${name}...\n`);
    const code = await runOne(name, out);
    const seconds = (Date.now() - benchStarted) / 1000;
    timings.push(`${name} ${seconds.toFixed(0)} s`);
    const lines = existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean) : [];
    rows.push(...lines.map((line) => rowSchema.parse(JSON.parse(line))));
    if (code !== 0) {
      rows.push({ benchmark: name, measure: `failed (exit ${code})`, crier: '-', baseline: '-' });
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
const machine = `${cpus().length} cores (nproc), ${cpu}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, load average ${loadBefore.toFixed(1)} -> ${(loadavg()[0] ?? 0).toFixed(1)}${quick ? ', --quick' : ''}`;
process.stdout.write(`\n${machine}\n\n${table(rows)}\n\n`);
process.stdout.write(
  `${timings.join(', ')}; ${((Date.now() - started) / 60_000).toFixed(1)} min in all\n`,
);
process.exitCode = rows.some((row) => row.measure.startsWith('failed')) ? 1 : 0;
