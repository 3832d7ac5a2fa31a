/**
 * How every handler is built for Lambda, in one place: CrierFunction hands these to
 * NodejsFunction and then rebuilds the bundle with bundleHandler (split-bundle.ts), and
 * the bundle test (tests/infra) and the bundles benchmark call bundleHandler too, so they
 * load what Lambda runs.
 */
import { fileURLToPath } from 'node:url';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { build, type Metafile } from 'esbuild';
import { NATIVE_PACKAGES } from './runtime-packages';

/** The newest Node.js runtime this aws-cdk-lib offers (NODEJS_LATEST may lag behind it). */
export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;

/** esbuild's target for that runtime: `nodejs24.x` -> `node24`. */
export const BUNDLE_TARGET = `node${/^nodejs(\d+)/.exec(LAMBDA_RUNTIME.name)?.[1] ?? ''}`;

/**
 * An ESM bundle has no `require`, yet the CommonJS packages esbuild inlines call it.
 * The alias keeps the banner's name clear of anything the bundle itself declares.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __crierCreateRequire } from 'node:module'; const require = __crierCreateRequire(import.meta.url);";

export const BUNDLE_OPTIONS = {
  target: BUNDLE_TARGET,
  minify: true,
  sourceMap: true,
  // Stack traces need the mappings only; the sources would double the bundle's size.
  sourcesContent: false,
  // ESM builds of dependencies first, CommonJS otherwise.
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  // The Lambda Node.js runtime ships AWS SDK v3; bundling it again only slows cold starts.
  // Native packages cannot be inlined: their linux-arm64 builds are installed beside the
  // bundle instead (runtime-packages.ts).
  externalModules: ['@aws-sdk/*', ...NATIVE_PACKAGES],
} as const;

/** The channels file's name inside every bundle, and so its path in Lambda. */
export const CONFIG_FILE_NAME = 'channels.json';
export const CONFIG_PATH_IN_LAMBDA = `/var/task/${CONFIG_FILE_NAME}`;

/** The repository's root: handler entries in shared/resources.ts are relative to it. */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The handler's file in the bundle: `index.handler` in Lambda's terms. */
export const HANDLER_FILE = 'index.mjs';

/**
 * Bundles a handler into `outDir` as Lambda runs it: `index.mjs`, and beside it one chunk
 * per part the handler loads with a dynamic `import()` (a network's client library, the
 * image stack, the SSRF-safe fetcher), so a cold start parses and runs only the code its
 * path needs. NodejsFunction cannot split (it always passes esbuild `--outfile`), so
 * CrierFunction runs this after NodejsFunction's own build, over it in the same folder.
 */
export async function bundleHandler(entry: string, outDir: string): Promise<Metafile> {
  const result = await build({
    entryPoints: { index: entry },
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    // Chunks beside index.mjs, so paths a chunk resolves from its own URL (createRequire,
    // the fonts) start from the same folder as the handler's.
    chunkNames: 'chunk-[hash]',
    splitting: true,
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
    metafile: true,
    logLevel: 'silent',
  });
  return result.metafile;
}
