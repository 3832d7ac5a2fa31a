/**
 * `npm run chaos`: the chaos run (chaos/run.ts) against the stack `npm start` runs on
 * this machine (found through its data folder), or with `--self` against a stack of its
 * own in a temporary folder. Prints a table per network and exits non-zero on any
 * duplicate, lost or unsettled share.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadChannelsConfig } from '../../shared/config/channels';
import { ENV } from '../../shared/resources';
import { formatReport, runChaos } from './chaos/run';
import { requireRuntimeFile } from './runtime-file';
import { type LocalStack, startLocalStack } from './stack';

export const DEFAULT_FAULTS =
  'x:429:0.2,bluesky:500:0.2,mastodon:timeout:0.1,threads:503:0.1,linkedin:reset:0.1,facebook:502:0.1,instagram:slow:0.1,telegram:429:0.1,*:crash-after-post:0.05';

const { values } = parseArgs({
  options: {
    articles: { type: 'string', default: '200' },
    faults: { type: 'string', default: DEFAULT_FAULTS },
    workers: { type: 'string', default: '2' },
    'kill-chance': { type: 'string', default: '0.3' },
    'timeout-minutes': { type: 'string', default: '20' },
    'data-dir': { type: 'string', default: process.env.CRIER_DATA_DIR ?? '.crier' },
    self: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  process.stdout.write(
    [
      'npm run chaos -- [--articles 200] [--faults SPEC] [--workers 2] [--kill-chance 0.3]',
      '                 [--timeout-minutes 20] [--data-dir .crier | --self]',
      '',
      'Against the stack `npm start` runs on --data-dir, or with --self against its own.',
      `Default faults: ${DEFAULT_FAULTS}`,
      '',
    ].join('\n'),
  );
  process.exit(0);
}

const number = (name: string, value: string, min: number, max: number): number => {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min || parsed > max) {
    process.stderr.write(`--${name} must be a number from ${min} to ${max}\n`);
    process.exit(2);
  }
  return parsed;
};

const articles = number('articles', values.articles, 1, 10_000);
const workers = number('workers', values.workers, 0, 16);
const killChance = number('kill-chance', values['kill-chance'], 0, 1);
const settleTimeoutMs = number('timeout-minutes', values['timeout-minutes'], 1, 240) * 60_000;

let own: { stack: LocalStack; dir: string } | undefined;
let exitCode = 1;
try {
  let dataDir = resolve(values['data-dir']);
  if (values.self) {
    const dir = mkdtempSync(join(tmpdir(), 'crier-chaos-'));
    process.env.CRIER_SANDBOX_RESET_SECONDS ??= '2';
    const stack = await startLocalStack({ port: 0, dataDir: dir, tickSeconds: 2, quiet: true });
    own = { stack, dir };
    dataDir = dir;
  }
  const runtime = requireRuntimeFile(dataDir);
  const webhookSecret = runtime.environment[ENV.webhookSecret];
  const editorToken = runtime.environment[ENV.editorToken];
  if (!webhookSecret || !editorToken) throw new Error('the running stack has no local secrets');
  const { channels } = loadChannelsConfig(runtime.environment[ENV.channelsConfig]);
  const report = await runChaos({
    url: runtime.url,
    dataDir,
    webhookSecret,
    editorToken,
    channels,
    articles,
    faults: values.faults,
    workers,
    killChance,
    settleTimeoutMs,
    say: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${formatReport(report)}\n`);
  exitCode = report.ok ? 0 : 1;
} catch (error) {
  process.stderr.write(
    `chaos run failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
} finally {
  if (own) {
    await own.stack.stop();
    rmSync(own.dir, { recursive: true, force: true });
  }
}
process.exit(exitCode);
