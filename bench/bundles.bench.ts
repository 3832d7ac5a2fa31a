/**
 * Each Lambda bundle as the CDK builds it (infra/constructs/bundling.ts, bundleHandler, as
 * tests/infra/bundle.test.ts does): the code its cold start loads (the handler file and
 * the chunks it imports statically) and all of it, and its cold import time in a fresh
 * node process against two baselines bundled the same way, in the same run: an empty
 * handler, and a Powertools handler, one with the same middleware (logger, metrics,
 * tracer, middy) and the same AWS SDK clients as the function, and no Crier code.
 * Run: npx tsx bench/bundles.bench.ts [--quick]
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import type { Metafile } from 'esbuild';
import { bundleHandler, HANDLER_FILE, REPOSITORY_ROOT } from '../infra/constructs/bundling';
import { NATIVE_PACKAGES } from '../infra/constructs/runtime-packages';
import { functionEntries } from '../infra/stacks/service-stack';
import { BUCKET, ENV, type FunctionDefinition, QUEUES } from '../shared/resources';
import { type BenchRow, bytes, median, ms, QUICK, report } from './support/report';

// Inside the repository, so the SDK the bundles leave out (as Lambda provides it) and the
// native packages resolve from node_modules, as they do beside the bundle in Lambda.
const CACHE = join(REPOSITORY_ROOT, 'node_modules', '.cache');
mkdirSync(CACHE, { recursive: true });
const outDir = mkdtempSync(join(CACHE, 'crier-bench-bundles-'));

/** The size goal of the functions on a request's or a tick's path. */
const SIZE_GOAL_KIB = 400;
/** The most a function's cold import may take, as a multiple of its Powertools handler's. */
const IMPORT_GOALS: Record<string, number> = {
  'ingest-webhook': 1.5,
  'dispatch-due': 1.5,
  'editor-api': 1.5,
  'notify-cms': 1.5,
  'publish-share': 3,
  'compose-article': 3,
};

type Built = { dir: string; file: string; meta: Metafile };

async function bundle(name: string, entry: string): Promise<Built> {
  const dir = join(outDir, name);
  const meta = await bundleHandler(entry, dir);
  return { dir, file: join(dir, HANDLER_FILE), meta };
}

/** The code files of a bundle: the handler's, and every chunk. */
function codeFiles(meta: Metafile): string[] {
  return Object.keys(meta.outputs).filter((file) => file.endsWith('.mjs'));
}

/** The handler file and the chunks a cold start loads with it (static imports, transitively). */
function startFiles(meta: Metafile): string[] {
  const handler = codeFiles(meta).find((file) => file.endsWith(`/${HANDLER_FILE}`));
  if (!handler) throw new Error('the bundle has no handler file');
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imported of meta.outputs[file]?.imports ?? []) {
      if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
    }
  };
  visit(handler);
  return [...seen];
}

const read = (files: readonly string[]) =>
  Buffer.concat(files.map((file) => readFileSync(resolve(REPOSITORY_ROOT, file))));

/** Every AWS SDK package the bundle imports, at start or later. */
function awsPackages(meta: Metafile): string[] {
  const found = new Set<string>();
  for (const output of Object.values(meta.outputs)) {
    for (const imported of output.imports) {
      if (imported.external && imported.path.startsWith('@aws-sdk/')) found.add(imported.path);
    }
  }
  return [...found].sort();
}

/** How the Powertools handler makes each AWS SDK client a Crier function may use. */
const CLIENTS: Record<string, { imports: string; make: string }> = {
  '@aws-sdk/client-dynamodb': { imports: 'DynamoDBClient', make: 'new DynamoDBClient({})' },
  '@aws-sdk/lib-dynamodb': {
    imports: 'DynamoDBDocumentClient',
    make: 'DynamoDBDocumentClient.from(new DynamoDBClient({}))',
  },
  '@aws-sdk/client-sqs': { imports: 'SQSClient', make: 'new SQSClient({})' },
  '@aws-sdk/client-sns': { imports: 'SNSClient', make: 'new SNSClient({})' },
  '@aws-sdk/client-s3': { imports: 'S3Client', make: 'new S3Client({})' },
  '@aws-sdk/s3-request-presigner': { imports: 'getSignedUrl', make: 'getSignedUrl' },
  '@aws-sdk/client-secrets-manager': {
    imports: 'SecretsManagerClient',
    make: 'new SecretsManagerClient({})',
  },
  '@aws-sdk/client-cognito-identity-provider': {
    imports: 'CognitoIdentityProviderClient',
    make: 'new CognitoIdentityProviderClient({})',
  },
};

/**
 * A handler with shared/observability.ts's middleware, written out again (no Crier code),
 * that makes every AWS SDK client `packages` names when it loads.
 */
function powertoolsHandler(packages: readonly string[]): string {
  const clients = packages.map((name) => {
    const client = CLIENTS[name];
    if (!client) throw new Error(`The Powertools handler has no client for ${name}: add it`);
    return { name, ...client };
  });
  // lib-dynamodb's document client wraps the DynamoDB client.
  const dynamodb = CLIENTS['@aws-sdk/client-dynamodb'];
  if (
    dynamodb &&
    packages.includes('@aws-sdk/lib-dynamodb') &&
    !packages.includes('@aws-sdk/client-dynamodb')
  ) {
    clients.push({ name: '@aws-sdk/client-dynamodb', ...dynamodb });
  }
  return [
    "import { Logger } from '@aws-lambda-powertools/logger';",
    "import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';",
    "import { Metrics } from '@aws-lambda-powertools/metrics';",
    "import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';",
    "import { Tracer } from '@aws-lambda-powertools/tracer';",
    "import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';",
    "import middy from '@middy/core';",
    ...clients.map(({ name, imports }) => `import { ${imports} } from '${name}';`),
    "const logger = new Logger({ serviceName: 'crier' });",
    "const metrics = new Metrics({ namespace: 'Crier', serviceName: 'crier', logger });",
    "const tracer = new Tracer({ serviceName: 'crier' });",
    `const clients = [${clients.map(({ make }) => make).join(', ')}];`,
    'export const handler = middy(async () => ({ clients: clients.length }))',
    '  .use(captureLambdaHandler(tracer, { captureResponse: false }))',
    '  .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))',
    '  .use(logMetrics(metrics));',
    '',
  ].join('\n');
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

/** The native packages a bundle imports (at start or later): their arm64 builds go beside it. */
function nativesOf(code: string): string[] {
  return NATIVE_PACKAGES.filter((name) =>
    new RegExp(`(?:\\bfrom\\s*|\\bimport\\s*\\(\\s*)["']${name.replace('/', '\\/')}["']`).test(
      code,
    ),
  );
}

const repeats = QUICK ? 3 : 7;
const rows: BenchRow[] = [];
try {
  const emptyEntry = join(outDir, 'empty-handler.ts');
  writeFileSync(emptyEntry, 'export const handler = async () => ({});\n');
  const empty = await bundle('empty', emptyEntry);

  const built = await Promise.all(
    functionEntries().map(async ([name, definition]) => ({
      name,
      definition,
      ...(await bundle(name, resolve(REPOSITORY_ROOT, definition.entry))),
    })),
  );

  // One Powertools handler per set of AWS clients.
  const baselines = new Map<string, Built>();
  for (const { meta } of built) {
    const packages = awsPackages(meta);
    const key = packages.join(' ');
    if (baselines.has(key)) continue;
    const entry = join(outDir, `powertools-${baselines.size}.ts`);
    writeFileSync(entry, powertoolsHandler(packages));
    baselines.set(key, await bundle(`powertools-${baselines.size}`, entry));
  }
  const baselineOf = (meta: Metafile) => {
    const found = baselines.get(awsPackages(meta).join(' '));
    if (!found) throw new Error('no Powertools handler for these clients');
    return found;
  };

  const emptyEnv = environmentFor(undefined);
  // One round imports every bundle once, so a slow moment of the machine hits all alike.
  const times = new Map<string, number[]>();
  const time = (key: string, file: string, env: Record<string, string>) => {
    const list = times.get(key) ?? [];
    list.push(coldImportMs(file, env));
    times.set(key, list);
  };
  for (let round = 0; round < repeats; round++) {
    time('empty', empty.file, emptyEnv);
    for (const [key, baseline] of baselines) time(`powertools ${key}`, baseline.file, emptyEnv);
    for (const { name, definition, file } of built) time(name, file, environmentFor(definition));
  }
  const medianOf = (key: string) => median(times.get(key) ?? []);
  const emptyMs = medianOf('empty');

  for (const { name, meta } of built) {
    const atStart = read(startFiles(meta));
    const all = read(codeFiles(meta));
    const baseline = baselineOf(meta);
    const baselineStart = read(startFiles(baseline.meta));
    const natives = nativesOf(all.toString('utf8'));
    const goal = IMPORT_GOALS[name];
    const sizeGoal = goal === 1.5 ? SIZE_GOAL_KIB : undefined;
    const startKiB = atStart.length / 1024;
    rows.push({
      benchmark: 'bundles',
      measure: `${name}: size loaded at cold start (deflated)`,
      crier: `${bytes(atStart.length)} (${bytes(deflateRawSync(atStart).length)})`,
      baseline: bytes(baselineStart.length),
      note: [
        sizeGoal ? `goal ${sizeGoal} KiB: ${startKiB <= sizeGoal ? 'met' : 'missed'}` : undefined,
        `${bytes(all.length)} in all, the rest in chunks loaded on first use`,
        natives.length ? `plus the arm64 builds of ${natives.join(', ')} beside it` : undefined,
        'baseline: the Powertools handler',
      ]
        .filter(Boolean)
        .join('; '),
    });
    const importMs = medianOf(name);
    rows.push({
      benchmark: 'bundles',
      measure: `${name}: cold import vs an empty handler, median of ${repeats}`,
      crier: ms(importMs),
      baseline: ms(emptyMs),
      ratio: importMs / emptyMs,
      note: 'an empty handler, each in a fresh node process',
    });
    const powertoolsMs = medianOf(`powertools ${awsPackages(meta).join(' ')}`);
    const ratio = importMs / powertoolsMs;
    rows.push({
      benchmark: 'bundles',
      measure: `${name}: cold import vs a Powertools handler`,
      crier: ms(importMs),
      baseline: ms(powertoolsMs),
      ratio,
      note: [
        goal ? `goal ${goal}x: ${ratio <= goal ? 'met' : 'missed'}` : undefined,
        `the same middleware and AWS clients (${awsPackages(meta)
          .map((pkg) => pkg.replace('@aws-sdk/', ''))
          .join(', ')}), no Crier code`,
      ]
        .filter(Boolean)
        .join('; '),
    });
  }
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
report(rows);
