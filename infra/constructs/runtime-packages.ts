/**
 * What a Lambda bundle needs beside its code: the native image libraries (sharp, resvg)
 * as their linux-arm64 builds, and the font files the share cards read at run time.
 * esbuild cannot inline either. CrierFunction adds them after esbuild (split-bundle.ts),
 * only to a bundle that uses them.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXTRA_FONT_FILES } from '../../shared/preview/card-fonts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(join(ROOT, 'package.json'));

/** Packages with native code: marked external for esbuild, installed for Lambda's platform. */
export const NATIVE_PACKAGES = ['sharp', '@resvg/resvg-js'] as const;

/** Lambda's platform (CrierFunction deploys on arm64, Amazon Linux 2023 with glibc). */
export const LAMBDA_PLATFORM = { os: 'linux', cpu: 'arm64', libc: 'glibc' } as const;

/**
 * Files the share cards find with require.resolve at run time (shared/preview/card-glyphs.ts,
 * FONT_FILES), copied at the same paths under the bundle's node_modules.
 */
export const DATA_FILES = [
  'dejavu-fonts-ttf/package.json',
  'dejavu-fonts-ttf/LICENSE',
  'dejavu-fonts-ttf/ttf/DejaVuSans.ttf',
  'dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf',
] as const;

/**
 * Packages the share cards use when installed (card-glyphs.ts, EMOJI_PACKAGES and
 * EXTRA_FONT_FILES). The emoji set is copied whole; of a font package only its manifest,
 * its licences and the one weight the cards draw with (each package holds nine weights,
 * some 90 MB).
 */
export const OPTIONAL_PACKAGES = [
  '@twemoji/svg',
  '@expo-google-fonts/noto-sans-sc',
  '@expo-google-fonts/noto-sans-jp',
  '@expo-google-fonts/noto-sans-kr',
] as const;

const FONT_PACKAGE_FILES = ['package.json', 'LICENSE', 'LICENSE_FONT'] as const;

/** The files of an optional package to copy, relative to its folder; undefined = all. */
function filesToCopy(name: string): string[] | undefined {
  const fonts = EXTRA_FONT_FILES.filter((file) => file.startsWith(`${name}/`));
  if (!fonts.length) return undefined;
  return [...FONT_PACKAGE_FILES, ...fonts.map((file) => file.slice(name.length + 1))];
}

/**
 * An import of a native package (esbuild leaves it as `from"sharp"`, `import("sharp")` or
 * `require("sharp")`), or a font path: a bare "sharp" is also a top-level domain in the
 * link parsers' lists.
 */
const USES =
  /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["'](?:sharp|@resvg\/resvg-js)["']|["']dejavu-fonts-ttf\//;

/** The exact versions package.json pins, so Lambda runs what the tests ran. */
export function nativeVersions(): Record<string, string> {
  const manifest: { dependencies?: Record<string, string> } = JSON.parse(
    readFileSync(join(ROOT, 'package.json'), 'utf8'),
  );
  return Object.fromEntries(
    NATIVE_PACKAGES.map((name) => {
      const version = manifest.dependencies?.[name];
      if (!version || !/^\d+\.\d+\.\d+$/.test(version)) {
        throw new Error(`package.json must pin ${name} to an exact version, not ${version}`);
      }
      return [name, version];
    }),
  );
}

/** Where the linux-arm64 packages are kept between builds: one folder per version set. */
export function nativeCacheDir(): string {
  const versions = nativeVersions();
  const id = createHash('sha256')
    .update(JSON.stringify({ versions, LAMBDA_PLATFORM }))
    .digest('hex')
    .slice(0, 16);
  return join(
    ROOT,
    'node_modules',
    '.cache',
    'crier-lambda-native',
    `${LAMBDA_PLATFORM.cpu}-${id}`,
  );
}

/**
 * The cached node_modules of the linux-arm64 builds, installed from the npm registry the
 * first time (once per machine and version set); later builds work offline.
 */
export function ensureNativeCache(): string {
  const dir = nativeCacheDir();
  const modules = join(dir, 'node_modules');
  if (existsSync(join(dir, '.complete'))) return modules;

  const staging = `${dir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  // Its own package.json, or npm would walk up and install into the repository.
  writeFileSync(join(staging, 'package.json'), '{"name":"crier-lambda-native","private":true}\n');
  const specs = Object.entries(nativeVersions()).map(([name, version]) => `${name}@${version}`);
  try {
    execFileSync(
      'npm',
      [
        'install',
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        // sharp's install script would look for a build of this machine's platform.
        '--ignore-scripts',
        `--os=${LAMBDA_PLATFORM.os}`,
        `--cpu=${LAMBDA_PLATFORM.cpu}`,
        `--libc=${LAMBDA_PLATFORM.libc}`,
        ...specs,
      ],
      { cwd: staging, stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 },
    );
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    const detail =
      error instanceof Error && 'stderr' in error ? String(error.stderr) : String(error);
    throw new Error(
      `Could not install the ${LAMBDA_PLATFORM.os}-${LAMBDA_PLATFORM.cpu} builds of ${specs.join(' and ')} for the Lambda bundles (the npm registry is needed once per machine):\n${detail}`,
    );
  }
  writeFileSync(join(staging, '.complete'), `${specs.join(' ')}\n`);
  try {
    renameSync(staging, dir);
  } catch {
    // Another build finished the same install first: theirs is as good.
    rmSync(staging, { recursive: true, force: true });
  }
  if (!existsSync(join(dir, '.complete'))) throw new Error(`${dir} was not completed`);
  return modules;
}

/**
 * Whether the bundle in `outputDir` imports the native packages or reads the fonts, in
 * its handler file or in any chunk it loads later.
 */
export function bundleNeedsRuntimePackages(outputDir: string): boolean {
  if (!existsSync(outputDir)) return false;
  return readdirSync(outputDir)
    .filter((name) => name.endsWith('.mjs'))
    .some((name) => USES.test(readFileSync(join(outputDir, name), 'utf8')));
}

/** Adds the packages to the bundle if its code uses them; returns whether it did. */
export function addRuntimePackages(outputDir: string): boolean {
  if (!bundleNeedsRuntimePackages(outputDir)) return false;
  const target = join(outputDir, 'node_modules');
  cpSync(ensureNativeCache(), target, { recursive: true });
  for (const file of DATA_FILES) {
    const destination = join(target, file);
    mkdirSync(dirname(destination), { recursive: true });
    cpSync(require.resolve(file), destination);
  }
  for (const name of OPTIONAL_PACKAGES) {
    let manifest: string;
    try {
      manifest = require.resolve(`${name}/package.json`);
    } catch {
      continue;
    }
    const from = dirname(manifest);
    const files = filesToCopy(name);
    if (!files) {
      cpSync(from, join(target, name), { recursive: true });
      continue;
    }
    for (const file of files) {
      if (!existsSync(join(from, file))) continue;
      mkdirSync(dirname(join(target, name, file)), { recursive: true });
      cpSync(join(from, file), join(target, name, file));
    }
  }
  return true;
}
