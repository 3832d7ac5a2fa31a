/**
 * `npm run openapi`: writes the OpenAPI document of the webhooks and the editor API, as
 * the code builds it, to docs/openapi.json, formatted as Biome formats the repository's
 * JSON. `--check` only says whether the committed file says the same as the code.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { openApiDocument } from '../../shared/http/openapi';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const OPENAPI_FILE = fileURLToPath(new URL('../../docs/openapi.json', import.meta.url));

/** The committed document, parsed; undefined when there is none. */
export function committedOpenApi(): unknown {
  return existsSync(OPENAPI_FILE) ? JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) : undefined;
}

/** The document as the code builds it, through JSON as the file holds it. */
export function currentOpenApi(): unknown {
  return JSON.parse(JSON.stringify(openApiDocument()));
}

function main(): void {
  const { values } = parseArgs({ options: { check: { type: 'boolean' } } });
  if (values.check) {
    if (!isDeepStrictEqual(committedOpenApi(), currentOpenApi())) {
      console.error('docs/openapi.json is out of date: run `npm run openapi`.');
      process.exit(1);
    }
    console.log('docs/openapi.json is current.');
    return;
  }
  writeFileSync(OPENAPI_FILE, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
  execFileSync('npx', ['biome', 'format', '--write', OPENAPI_FILE], { cwd: ROOT, stdio: 'ignore' });
  console.log(`Wrote ${OPENAPI_FILE}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
