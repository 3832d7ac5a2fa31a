/**
 * Every handler of shared/resources.ts, bundled as CrierFunction bundles it for Lambda
 * (bundleHandler: the handler file and the chunks it loads on first use), loads with the
 * environment it gets and exports `handler`; and its cold start loads none of the large
 * libraries that only some paths use.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundleHandler,
  CONFIG_FILE_NAME,
  ESM_REQUIRE_BANNER,
  HANDLER_FILE,
  REPOSITORY_ROOT,
} from '../../infra/constructs/bundling';
import { functionEntries } from '../../infra/stacks/service-stack';
import { DEFAULT_METRICS_AFTER } from '../../shared/domain/metrics';
import { BUCKET, ENV, FUNCTIONS, type FunctionDefinition, QUEUES } from '../../shared/resources';

// Inside the repository, so the SDK the bundles leave out (as Lambda provides it)
// resolves from node_modules.
const CACHE = join(REPOSITORY_ROOT, 'node_modules', '.cache');
mkdirSync(CACHE, { recursive: true });
const outDir = mkdtempSync(join(CACHE, 'crier-bundles-'));

type Bundle = { file: string; meta: Metafile };

/** Bundles one handler as CrierFunction does, config file beside it. */
async function bundle(name: string, definition: FunctionDefinition): Promise<Bundle> {
  const dir = join(outDir, name);
  const meta = await bundleHandler(resolve(REPOSITORY_ROOT, definition.entry), dir);
  copyFileSync(join(REPOSITORY_ROOT, 'config/channels.example.json'), join(dir, CONFIG_FILE_NAME));
  return { file: join(dir, HANDLER_FILE), meta };
}

/** The source files in the handler file and the chunks it imports statically. */
function loadedAtStart(meta: Metafile): string[] {
  const handler = Object.keys(meta.outputs).find((file) => file.endsWith(`/${HANDLER_FILE}`));
  const seen = new Set<string>();
  const visit = (file: string | undefined) => {
    if (file === undefined || seen.has(file)) return;
    seen.add(file);
    for (const imported of meta.outputs[file]?.imports ?? []) {
      if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
    }
  };
  visit(handler);
  return [...seen].flatMap((file) => Object.keys(meta.outputs[file]?.inputs ?? {}));
}

/** What a path loads when it needs it: never at any function's cold start. */
const LOADED_ON_USE = [
  ['network client libraries', /node_modules\/(@atproto|twitter-api-v2|grammy|masto)\//],
  ['the image stack', /node_modules\/(satori|@shuding|@resvg|sharp)\//],
  ["the SSRF-safe fetcher's undici", /node_modules\/undici\//],
  ['the network clients', /^shared\/platforms\/[a-z]+\/client\.ts$/],
  ['the share card drawing', /^shared\/preview\/card-(image|layout|glyphs)\.ts$/],
] as const;

/**
 * What the function reads at cold start in AWS, with dummy values, and its own secrets
 * given directly rather than as `_ARN`s, so loading it calls no AWS service.
 */
function environmentFor(name: string, definition: FunctionDefinition): Record<string, string> {
  const { uses } = definition;
  const secrets: Record<string, string> = {
    [ENV.webhookSecret]: `whsec_${randomBytes(32).toString('base64')}`,
    [ENV.ghostSecret]: randomBytes(32).toString('hex'),
    [ENV.syndicationSecret]: `whsec_${randomBytes(32).toString('base64')}`,
  };
  return {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    POWERTOOLS_SERVICE_NAME: 'crier',
    POWERTOOLS_METRICS_NAMESPACE: 'Crier',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_TRACE_ENABLED: 'false',
    [ENV.channelsConfig]: join(outDir, name, CONFIG_FILE_NAME),
    ...(uses.table ? { [ENV.tableName]: 'crier-test' } : {}),
    ...Object.fromEntries(
      (uses.sendTo ?? []).map((queue) => [
        QUEUES[queue].urlEnv,
        `https://sqs.eu-west-1.amazonaws.com/123456789012/${QUEUES[queue].localName}`,
      ]),
    ),
    ...Object.fromEntries((uses.secrets ?? []).map((secret) => [secret, secrets[secret] ?? ''])),
    ...(uses.channelSecrets ? { [ENV.channelSecretPrefix]: 'crier/test/channel/' } : {}),
    // As the service stack sets it for every function that uses the media bucket.
    ...(uses.media ? { [BUCKET.nameEnv]: 'crier-test-media' } : {}),
    ...(uses.metricsAfter ? { [ENV.metricsAfter]: DEFAULT_METRICS_AFTER } : {}),
  };
}

describe('Lambda bundles', () => {
  const bundles = new Map<string, Promise<Bundle>>();

  beforeAll(() => {
    for (const [name, definition] of functionEntries()) {
      const built = bundle(name, definition);
      // Each test awaits its own bundle and reports its own failure.
      built.catch(() => {});
      bundles.set(name, built);
    }
  });

  afterAll(() => {
    rmSync(outDir, { recursive: true, force: true });
  });

  it('covers every function shared/resources.ts defines', () => {
    expect([...bundles.keys()].sort()).toEqual(Object.keys(FUNCTIONS).sort());
  });

  it.each(functionEntries())(
    '%s bundles as ESM, loads, and exports only handler',
    async (name, definition) => {
      const built = await bundles.get(name);
      if (!built) throw new Error(`${name} was not bundled`);
      const { file } = built;
      const code = readFileSync(file, 'utf8');
      expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
      expect(code).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);

      const saved = { ...process.env };
      Object.assign(process.env, environmentFor(name, definition));
      try {
        const module: Record<string, unknown> = await import(pathToFileURL(file).href);
        expect(typeof module.handler).toBe('function');
        expect(Object.keys(module)).toEqual(['handler']);
      } finally {
        for (const key of Object.keys(process.env)) {
          if (!(key in saved)) delete process.env[key];
        }
        Object.assign(process.env, saved);
      }
    },
  );

  it.each(functionEntries())(
    '%s loads no network client, image stack or undici at cold start',
    async (name) => {
      const built = await bundles.get(name);
      if (!built) throw new Error(`${name} was not bundled`);
      const atStart = loadedAtStart(built.meta);
      expect(atStart.length).toBeGreaterThan(0);
      for (const [what, pattern] of LOADED_ON_USE) {
        expect(
          atStart.filter((input) => pattern.test(input)),
          what,
        ).toEqual([]);
      }
    },
  );

  it('keeps each network client in the bundle, for when a share needs it', async () => {
    const built = await bundles.get('publish-share');
    if (!built) throw new Error('publish-share was not bundled');
    const inputs = Object.values(built.meta.outputs).flatMap((output) =>
      Object.keys(output.inputs),
    );
    for (const network of ['x', 'bluesky', 'mastodon', 'telegram', 'threads', 'linkedin']) {
      expect(inputs, network).toContain(`shared/platforms/${network}/client.ts`);
    }
  });
});
