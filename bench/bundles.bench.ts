/**
 * Each Lambda bundle as the CDK builds it (esbuild with infra/constructs/bundling.ts's
 * options, as tests/infra/bundle.test.ts does): its size, and its cold import time in a
 * fresh node process, against an empty handler bundled the same way, in the same run.
 * Run: npx tsx bench/bundles.bench.ts [--quick]
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import { build } from 'esbuild';
import { BUNDLE_OPTIONS, REPOSITORY_ROOT } from '../infra/constructs/bundling';
import { NATIVE_PACKAGES } from '../infra/constructs/runtime-packages';
import { functionEntries } from '../infra/stacks/service-stack';
import { BUCKET, ENV, type FunctionDefinition, QUEUES } from '../shared/resources';
import { type BenchRow, bytes, median, ms, QUICK, report } from './support/report';

// Inside the repository, so the SDK the bundles leave out (as Lambda provides it) and the
// native packages resolve from node_modules, as they do beside the bundle in Lambda.
const CACHE = join(REPOSITORY_ROOT, 'node_modules', '.cache');
mkdirSync(CACHE, { recursive: true });
const outDir = mkdtempSync(join(CACHE, 'crier-bench-bundles-'));

async function bundle(name: string, entry: string): Promise<string> {
  const outfile = join(outDir, name, 'index.mjs');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE_OPTIONS.target,
    minify: BUNDLE_OPTIONS.minify,
    sourcemap: BUNDLE_OPTIONS.sourceMap,
    sourcesContent: BUNDLE_OPTIONS.sourcesContent,
    mainFields: [...BUNDLE_OPTIONS.mainFields],
    banner: { js: BUNDLE_OPTIONS.banner },
    external: [...BUNDLE_OPTIONS.externalModules],
    logLevel: 'silent',
  });
  return outfile;
}

/** What a function reads at cold start, with dummy values and its secrets given directly. */
function environmentFor(definition: FunctionDefinition | undefined): Record<string, string> {
  const uses = definition?.uses ?? {};
  return {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_SERVICE_NAME: 'crier',
    POWERTOOLS_METRICS_NAMESPACE: 'Crier',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_TRACE_ENABLED: 'false',
    [ENV.channelsConfig]: join(REPOSITORY_ROOT, 'config/channels.example.json'),
    ...(uses.table ? { [ENV.tableName]: 'crier-bench' } : {}),
    ...Object.fromEntries(
      (uses.sendTo ?? []).map((queue) => [
        QUEUES[queue].urlEnv,
        `https://sqs.eu-west-1.amazonaws.com/123456789012/${QUEUES[queue].localName}`,
      ]),
    ),
    ...Object.fromEntries(
      (uses.secrets ?? []).map((secret) => [secret, `whsec_${randomBytes(32).toString('base64')}`]),
    ),
    ...(uses.channelSecrets ? { [ENV.channelSecretPrefix]: 'crier/bench/channel/' } : {}),
    ...(uses.media ? { [BUCKET.nameEnv]: 'crier-bench-media' } : {}),
  };
}

/** Milliseconds one fresh node process takes to import the bundle (node's own start apart). */
function coldImportMs(file: string, env: Record<string, string>): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return Number(out.trim());
}

const repeats = QUICK ? 3 : 7;
const rows: BenchRow[] = [];
try {
  const emptyEntry = join(outDir, 'empty-handler.ts');
  writeFileSync(emptyEntry, 'export const handler = async () => ({});\n');
  const emptyFile = await bundle('empty', emptyEntry);
  const emptySize = statSync(emptyFile).size;

  const built = await Promise.all(
    functionEntries().map(async ([name, definition]) => ({
      name,
      definition,
      file: await bundle(name, resolve(REPOSITORY_ROOT, definition.entry)),
    })),
  );

  const emptyEnv = environmentFor(undefined);
  // One round imports every bundle once, so a slow moment of the machine hits all alike.
  const times = new Map<string, number[]>([['empty', []]]);
  for (let round = 0; round < repeats; round++) {
    times.get('empty')?.push(coldImportMs(emptyFile, emptyEnv));
    for (const { name, definition, file } of built) {
      const list = times.get(name) ?? [];
      list.push(coldImportMs(file, environmentFor(definition)));
      times.set(name, list);
    }
  }
  const emptyMs = median(times.get('empty') ?? []);

  for (const { name, file } of built) {
    const code = readFileSync(file);
    const natives = NATIVE_PACKAGES.filter((pkg) => code.includes(`"${pkg}"`));
    const importMs = median(times.get(name) ?? []);
    rows.push({
      benchmark: 'bundles',
      measure: `${name}: size (deflated)`,
      crier: `${bytes(code.length)} (${bytes(deflateRawSync(code).length)})`,
      baseline: bytes(emptySize),
      note: natives.length
        ? `plus the arm64 builds of ${natives.join(', ')} beside it`
        : 'an empty handler',
    });
    rows.push({
      benchmark: 'bundles',
      measure: `${name}: cold import, median of ${repeats}`,
      crier: ms(importMs),
      baseline: ms(emptyMs),
      ratio: importMs / emptyMs,
      note: 'an empty handler, each in a fresh node process',
    });
  }
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
report(rows);
