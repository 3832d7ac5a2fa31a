/**
 * Imports run one way: functions/ and infra/ use shared/; shared/ is used, never a user.
 * A handler reaches its adapters through shared/composition, not through infra/.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');

/** What each top-level folder may not import from. */
const FORBIDDEN: Record<string, string[]> = {
  shared: ['infra', 'functions', 'web', 'tests', 'bench'],
  functions: ['infra', 'web', 'tests', 'bench'],
  web: ['infra', 'functions', 'tests', 'bench'],
};

function sources(folder: string): string[] {
  return execFileSync('git', ['ls-files', folder], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((file) => /\.(ts|tsx|mjs)$/.test(file));
}

/** The top-level folder each relative import or dynamic import of `file` lands in. */
function importedFolders(file: string, text: string): string[] {
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map(
    (match) => match[1] ?? '',
  );
  return specifiers.map(
    (specifier) => relative(ROOT, resolve(ROOT, dirname(file), specifier)).split('/')[0] ?? '',
  );
}

describe('imports run one way', () => {
  it('reads the folder an import lands in (the check itself works)', () => {
    const text = "import { TABLE } from '../../infra/resources';\nconst m = await import('./x');";
    expect(importedFolders('shared/store/keys.ts', text)).toEqual(['infra', 'shared']);
  });

  for (const [folder, forbidden] of Object.entries(FORBIDDEN)) {
    it(`${folder}/ imports nothing from ${forbidden.join(', ')}`, () => {
      const crossing = sources(folder).flatMap((file) =>
        importedFolders(file, readFileSync(resolve(ROOT, file), 'utf8'))
          .filter((target) => forbidden.includes(target))
          .map((target) => `${file} -> ${target}/`),
      );
      expect(crossing).toEqual([]);
    });
  }
});
