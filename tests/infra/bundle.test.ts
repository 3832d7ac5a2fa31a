/**
 * Every handler of shared/resources.ts, bundled as CrierFunction bundles it for Lambda
 * (the same esbuild options), loads with the environment it gets and exports `handler`.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUNDLE_OPTIONS,
  CONFIG_FILE_NAME,
  ESM_REQUIRE_BANNER,
  REPOSITORY_ROOT,
} from '../../infra/constructs/bundling';
import { functionEntries } from '../../infra/stacks/service-stack';
import { BUCKET, ENV, FUNCTIONS, type FunctionDefinition, QUEUES } from '../../shared/resources';

// Inside the repository, so the SDK the bundles leave out (as Lambda provides it)
// resolves from node_modules.
const CACHE = join(REPOSITORY_ROOT, 'node_modules', '.cache');
mkdirSync(CACHE, { recursive: true });
const outDir = mkdtempSync(join(CACHE, 'crier-bundles-'));

/** Bundles one handler as NodejsFunction does with BUNDLE_OPTIONS, config file beside it. */
async function bundle(name: string, definition: FunctionDefinition): Promise<string> {
  const dir = join(outDir, name);
  const outfile = join(dir, 'index.mjs');
  await build({
    entryPoints: [resolve(REPOSITORY_ROOT, definition.entry)],
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
  copyFileSync(join(REPOSITORY_ROOT, 'config/channels.example.json'), join(dir, CONFIG_FILE_NAME));
  return outfile;
}

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
  };
}

describe('Lambda bundles', () => {
  const bundles = new Map<string, Promise<string>>();

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
      const file = await bundles.get(name);
      if (!file) throw new Error(`${name} was not bundled`);
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
});
