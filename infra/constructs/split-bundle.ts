/**
 * What CrierFunction runs after NodejsFunction's esbuild step, as
 * `node --import tsx infra/constructs/split-bundle.ts <entry> <outputDir>`: rebuilds the
 * handler with code splitting over NodejsFunction's one-file bundle (bundling.ts,
 * bundleHandler), then adds the native image libraries and fonts if the bundle uses them
 * (runtime-packages.ts).
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleHandler } from './bundling';
import { addRuntimePackages } from './runtime-packages';

/** The shell command CrierFunction's afterBundling hook runs. */
export function splitBundleCommand(entry: string, outputDir: string): string {
  const script = fileURLToPath(import.meta.url);
  return `"${process.execPath}" --import tsx "${script}" "${entry}" "${outputDir}"`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [entry, outputDir] = process.argv.slice(2);
  if (!entry || !outputDir) {
    console.error('usage: split-bundle.ts <handler entry> <bundle output directory>');
    process.exit(2);
  }
  try {
    await bundleHandler(entry, outputDir);
    addRuntimePackages(outputDir);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
