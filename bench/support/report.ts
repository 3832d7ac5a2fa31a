/**
 * What every benchmark reports: rows of a measure, Crier's value, the baseline measured
 * in the same run and their ratio. Run alone, a benchmark prints its rows as a table;
 * under bench/run.ts (CRIER_BENCH_OUT set) it appends them there as JSON lines.
 */
import { appendFileSync } from 'node:fs';

export type BenchRow = {
  benchmark: string;
  measure: string;
  /** Crier's value, formatted with its unit */
  crier: string;
  /** what Crier is compared with, formatted with its unit and, in `note`, what it is */
  baseline: string;
  /** crier / baseline; undefined where a ratio means nothing (a count, an agreement) */
  ratio?: number;
  note?: string;
};

/** `--quick` on the command line, or set by bench/run.ts for every benchmark. */
export const QUICK = process.argv.includes('--quick') || process.env.CRIER_BENCH_QUICK === '1';

export function report(rows: BenchRow[]): void {
  const out = process.env.CRIER_BENCH_OUT;
  if (out) {
    appendFileSync(out, rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
    return;
  }
  process.stdout.write(`${table(rows)}\n`);
}

export function formatRatio(ratio: number | undefined): string {
  if (ratio === undefined || !Number.isFinite(ratio)) return '';
  return ratio >= 100
    ? `${ratio.toFixed(0)}x`
    : ratio >= 10
      ? `${ratio.toFixed(1)}x`
      : `${ratio.toFixed(2)}x`;
}

/** One Markdown table (Biome formats Markdown tables the same way once pasted in docs/benchmarks.md). */
export function table(rows: BenchRow[]): string {
  const header = ['benchmark', 'measure', 'Crier', 'baseline', 'ratio', 'baseline is / note'];
  // A `|` inside a cell would end it.
  const cells = rows.map((row) =>
    [
      row.benchmark,
      row.measure,
      row.crier,
      row.baseline,
      formatRatio(row.ratio),
      row.note ?? '',
    ].map((cell) => cell.replaceAll('|', '\\|')),
  );
  const widths = header.map((title, i) =>
    Math.max(title.length, ...cells.map((line) => (line[i] ?? '').length)),
  );
  const line = (values: string[]) =>
    `| ${values.map((value, i) => value.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [
    line(header),
    `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`,
    ...cells.map(line),
  ].join('\n');
}

/** The p-th percentile (0-100) of `values`, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export const ms = (value: number): string =>
  `${value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)} ms`;

export const count = (value: number, digits = 0): string =>
  value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export const bytes = (value: number): string =>
  value >= 1024 * 1024
    ? `${(value / 1024 / 1024).toFixed(2)} MiB`
    : `${(value / 1024).toFixed(0)} KiB`;

/** CPU milliseconds per call of `run`, over `rounds` calls (user + system). */
export function cpuMs(run: () => void, rounds: number): number {
  const started = process.cpuUsage();
  for (let i = 0; i < rounds; i++) run();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000 / rounds;
}

/** CPU milliseconds per call of an async `run` (what it costs this process, not the wait). */
export async function cpuMsAsync(run: () => Promise<unknown>, rounds: number): Promise<number> {
  const started = process.cpuUsage();
  for (let i = 0; i < rounds; i++) await run();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000 / rounds;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
