/**
 * Builds the editor UI with esbuild: one script and one stylesheet, named by content
 * hash, and index.html pointing at them. The local runtime serves the build from memory;
 * the CDK app writes it to a folder during synth and deploys it to S3.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, type BuildResult, build, buildSync } from 'esbuild';

const WEB_DIR = fileURLToPath(new URL('./', import.meta.url));
/** Only a prefix for esbuild's output paths: nothing is written there. */
const OUT_DIR = join(WEB_DIR, 'dist');

export type UiFile = { path: string; contentType: string; body: Uint8Array };

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

export const contentTypeOf = (path: string) =>
  CONTENT_TYPES[/\.[a-z]+$/.exec(path)?.[0] ?? ''] ?? 'application/octet-stream';

const OPTIONS = {
  absWorkingDir: WEB_DIR,
  entryPoints: [
    { in: 'src/main.ts', out: 'app' },
    { in: 'styles.css', out: 'app' },
  ],
  entryNames: 'assets/[name]-[hash]',
  outdir: OUT_DIR,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  // Intl.Segmenter, RegExp lookbehind and Array.findLast: every current browser has them.
  target: ['chrome111', 'firefox125', 'safari16.4'],
  minify: true,
  sourcemap: 'linked',
  sourcesContent: false,
  // The licences of what the bundle contains, in a file beside it.
  legalComments: 'linked',
  logLevel: 'silent',
  write: false,
} as const satisfies BuildOptions;

/** The build's files by URL path, and index.html pointing at this build's hashed names. */
function collect(result: BuildResult<typeof OPTIONS>, template: string): UiFile[] {
  const files = result.outputFiles.map((file) => {
    const path = `/${file.path.slice(OUT_DIR.length + 1).replaceAll('\\', '/')}`;
    return { path, contentType: contentTypeOf(path), body: file.contents };
  });
  const named = (extension: string) => {
    const file = files.find((f) => f.path.startsWith('/assets/app-') && f.path.endsWith(extension));
    if (!file) throw new Error(`the editor UI build made no ${extension} file`);
    return file.path;
  };
  const html = template
    .replace('/assets/app.css', named('.css'))
    .replace('/assets/app.js', named('.js'));
  return [
    ...files,
    {
      path: '/index.html',
      contentType: contentTypeOf('.html'),
      body: new TextEncoder().encode(html),
    },
  ];
}

/** The whole UI in memory, for the local runtime. */
export async function bundleEditorUi(): Promise<UiFile[]> {
  const [result, template] = await Promise.all([
    build(OPTIONS),
    readFile(join(WEB_DIR, 'index.html'), 'utf8'),
  ]);
  return collect(result, template);
}

/** The whole UI written to `outdir`: CDK's local bundling, which must be synchronous. */
export function buildEditorUiSync(outdir: string): UiFile[] {
  const files = collect(buildSync(OPTIONS), readFileSync(join(WEB_DIR, 'index.html'), 'utf8'));
  for (const file of files) {
    const target = join(outdir, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.body);
  }
  return files;
}
