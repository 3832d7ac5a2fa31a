/**
 * The repository stands on its own: a clone with nothing beside it must build, test and
 * run, so no tracked source file may name a path that leaves the repository's root.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');

const SOURCE = /\.(ts|tsx|mjs|cjs|js|json|sh)$|^\.ci\/run$/;

function trackedSources(): string[] {
  const files = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n');
  return files.filter(
    (file) =>
      SOURCE.test(file) &&
      !file.endsWith('package-lock.json') &&
      !file.startsWith('tests/fixtures/') &&
      // these checks' own examples
      !file.startsWith('tests/unit/repository/'),
  );
}

/** Relative paths in string literals: `'../x'`, `"../../x"`, `` `../${y}` ``, `'..', '..'`. */
function relativePaths(text: string): string[] {
  const found: string[] = [];
  // (not an HTML attribute's value inside a string: `content="../img/a.png"`)
  for (const match of text.matchAll(/(?<!=)['"`]((?:\.\.\/)+[^'"`\s]*)['"`]/g)) {
    if (match[1]) found.push(match[1]);
  }
  // path.join(dir, '..', '..', 'x'): count the parent steps in one call
  for (const match of text.matchAll(/(?:['"]\.\.['"],\s*)+/g)) {
    const steps = match[0].match(/\.\./g)?.length ?? 0;
    found.push('../'.repeat(steps));
  }
  return found;
}

const MODULE_SUFFIXES = ['', '.ts', '.tsx', '.mjs', '.js', '/index.ts'];

/**
 * Read against the file's own folder, the path names something in the repository. (Read
 * against the root, where the tests run, a path that starts with `../` always leaves it.)
 */
function staysInside(file: string, path: string): boolean {
  const fixed = path.split(/\$\{|\*/)[0] ?? '';
  const target = resolve(ROOT, dirname(file), fixed);
  const rel = relative(ROOT, target);
  if (rel.startsWith('..') || isAbsolute(rel)) return false;
  return MODULE_SUFFIXES.some((suffix) => existsSync(`${target}${suffix}`));
}

describe('the repository is self-contained', () => {
  it('finds relative paths that leave a folder (the check itself works)', () => {
    expect(staysInside('tests/unit/platforms/x.test.ts', '../../fixtures/webhooks/')).toBe(true);
    expect(staysInside('functions/editor-api.ts', '../shared/domain/article')).toBe(true);
    expect(staysInside('tests/unit/platforms/x.test.ts', '../../../../beside/fixtures/')).toBe(
      false,
    );
    // read from the root, where the tests run: outside, whatever the file's folder holds
    expect(staysInside('tests/support/webhook.ts', '../beside/webhooks/a.json')).toBe(false);
    expect(relativePaths(`join(dir, '..', '..', '..', 'beside')`)).toEqual(['../../../']);
  });

  it('names no path outside the repository in any tracked source file', () => {
    const escaping: string[] = [];
    for (const file of trackedSources()) {
      const text = readFileSync(resolve(ROOT, file), 'utf8');
      for (const path of relativePaths(text)) {
        if (!staysInside(file, path)) escaping.push(`${file}: ${path}`);
      }
    }
    expect(escaping).toEqual([]);
  });

  it('cites no document that is not in the repository', () => {
    const outside = /\b(DESIGN|NETWORKS|TRAPS|STYLE)\.md\b/;
    const citing = trackedSources().filter((file) =>
      outside.test(readFileSync(resolve(ROOT, file), 'utf8')),
    );
    expect(citing).toEqual([]);
  });
});
