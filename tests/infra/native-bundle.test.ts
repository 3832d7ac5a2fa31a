/**
 * A function that draws images, bundled by CrierFunction as `cdk synth` bundles it, holds
 * the linux-arm64 builds of sharp and resvg (Lambda runs on arm64) and the card fonts,
 * and none of this machine's x64 builds; a function that draws nothing holds none of it.
 * The first run on a machine installs the arm64 packages from the npm registry (cached).
 */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from '../../infra/constructs/bundling';
import { CrierFunction } from '../../infra/constructs/crier-function';
import {
  DATA_FILES,
  NATIVE_PACKAGES,
  nativeVersions,
  OPTIONAL_PACKAGES,
} from '../../infra/constructs/runtime-packages';
import { EMOJI_PACKAGES, EXTRA_FONT_FILES } from '../../shared/preview/card-image';
import { FUNCTIONS, type FunctionDefinition } from '../../shared/resources';

// Inside the repository, so esbuild resolves the handler's imports from node_modules.
const CACHE = join(REPOSITORY_ROOT, 'node_modules', '.cache');
mkdirSync(CACHE, { recursive: true });
const work = mkdtempSync(join(CACHE, 'crier-native-bundle-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** ELF e_machine: 0xB7 is AArch64, 0x3E is x86-64. */
function machineOf(file: string): 'arm64' | 'x64' | 'other' {
  const header = readFileSync(file).subarray(0, 20);
  if (header.readUInt32BE(0) !== 0x7f454c46) return 'other';
  const machine = header.readUInt16LE(18);
  return machine === 0xb7 ? 'arm64' : machine === 0x3e ? 'x64' : 'other';
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Bundles `entry` as CrierFunction does for Lambda and returns the asset's folder. */
function bundled(app: App, stack: Stack, id: string, entry: string): string {
  const definition: FunctionDefinition = {
    entry: relative(REPOSITORY_ROOT, entry),
    description: id,
    timeoutSeconds: 10,
    memoryMB: 1024,
    uses: {},
  };
  const before = new Set(readdirSync(app.outdir));
  new CrierFunction(stack, id, {
    definition,
    channelsFile: join(REPOSITORY_ROOT, 'config/channels.example.json'),
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const [asset, ...more] = readdirSync(app.outdir).filter(
    (name) => name.startsWith('asset.') && !before.has(name),
  );
  expect(more).toEqual([]);
  if (!asset) throw new Error(`${id} produced no asset`);
  return join(app.outdir, asset);
}

describe('Lambda bundles of the image code', () => {
  it('carry the linux-arm64 builds of sharp and resvg and the fonts, never the x64 ones', () => {
    const entry = join(work, 'draws-cards.ts');
    writeFileSync(
      entry,
      [
        `import { processFor } from '${join(REPOSITORY_ROOT, 'shared/preview/image')}';`,
        `import { renderShareCard } from '${join(REPOSITORY_ROOT, 'shared/preview/card-image')}';`,
        'export const handler = async () => [typeof processFor, typeof renderShareCard];',
      ].join('\n'),
    );
    const app = new App({ outdir: mkdtempSync(join(work, 'cdk.out-')) });
    const stack = new Stack(app, 'NativeBundle');
    const drawing = bundled(app, stack, 'DrawsCards', entry);

    const code = readFileSync(join(drawing, 'index.mjs'), 'utf8');
    // Left for node_modules to provide, not inlined.
    expect(code).toMatch(/from\s*"sharp"/);
    expect(code).toMatch(/from\s*"@resvg\/resvg-js"/);

    const modules = join(drawing, 'node_modules');
    const versions = nativeVersions();
    for (const name of NATIVE_PACKAGES) {
      const manifest = JSON.parse(readFileSync(join(modules, name, 'package.json'), 'utf8'));
      expect(manifest.version, name).toBe(versions[name]);
    }
    const installed = [
      ...readdirSync(join(modules, '@img')).map((n) => `@img/${n}`),
      ...readdirSync(join(modules, '@resvg')).map((n) => `@resvg/${n}`),
    ];
    expect(installed).toEqual(
      expect.arrayContaining([
        '@img/sharp-linux-arm64',
        '@img/sharp-libvips-linux-arm64',
        '@resvg/resvg-js-linux-arm64-gnu',
      ]),
    );
    expect(installed.filter((name) => /x64|darwin|win32|musl/.test(name))).toEqual([]);

    const binaries = filesUnder(modules).filter((file) => /\.(node|so(\.\d+)*)$/.test(file));
    expect(binaries.length).toBeGreaterThanOrEqual(3);
    for (const binary of binaries) {
      expect(machineOf(binary), relative(modules, binary)).toBe('arm64');
    }
    for (const file of DATA_FILES) {
      expect(statSync(join(modules, file)).size, file).toBeGreaterThan(0);
    }
    // The CJK fonts: the one weight the cards draw with, not the other eight.
    for (const file of EXTRA_FONT_FILES) {
      expect(statSync(join(modules, file)).size, file).toBeGreaterThan(1_000_000);
    }
    const fontFiles = filesUnder(join(modules, '@expo-google-fonts')).filter((f) =>
      f.endsWith('.ttf'),
    );
    expect(fontFiles.map((f) => relative(modules, f)).sort()).toEqual([...EXTRA_FONT_FILES].sort());

    // The editor API draws a share's chosen image too (PATCH `image`): it carries them,
    // but its handler file loads none of them (nor a network client) at cold start: the
    // asset is the split build, each of those in chunks of its own, loaded when a path
    // needs it.
    const plain = bundled(
      app,
      stack,
      'NotifyCms',
      join(REPOSITORY_ROOT, FUNCTIONS['notify-cms'].entry),
    );
    expect(readdirSync(plain)).not.toContain('node_modules');
    // The editor API draws only for a desk post with a link or an image: the asset is the
    // split build, not NodejsFunction's one file, the network clients and the image stack
    // sitting in chunks of their own, loaded when a path needs them.
    const editor = bundled(
      app,
      stack,
      'EditorApi',
      join(REPOSITORY_ROOT, FUNCTIONS['editor-api'].entry),
    );
    const chunks = readdirSync(editor).filter((name) => /^chunk-.+\.mjs$/.test(name));
    expect(chunks.length).toBeGreaterThan(1);
    const handlerFile = readFileSync(join(editor, 'index.mjs'), 'utf8');
    expect(handlerFile).not.toMatch(/@atproto|twitter-api-v2|grammy/);
    expect(handlerFile).not.toMatch(/from\s*"sharp"|satori/);
  }, 120_000);

  it('copies the optional emoji and font packages the share cards look for', () => {
    const named = [
      ...EMOJI_PACKAGES,
      ...EXTRA_FONT_FILES.map((file) => file.split('/').slice(0, 2).join('/')),
    ];
    expect([...OPTIONAL_PACKAGES].sort()).toEqual([...new Set(named)].sort());
  });
});
