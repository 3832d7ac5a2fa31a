/**
 * The documentation holds together: every relative link in a tracked Markdown file
 * reaches a file, every `#anchor` a heading of its target (GitHub's slugs), and every
 * `docs/<name>.md` the code cites exists, with the heading it names in quotes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function tracked(...patterns: string[]): string[] {
  return execFileSync('git', ['ls-files', '-z', '--', ...patterns], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file !== '' && existsSync(join(ROOT, file)));
}

/** Markdown lines outside fenced code blocks, with inline code spans blanked. */
function proseLines(markdown: string): { line: number; text: string }[] {
  const lines: { line: number; text: string }[] = [];
  let fence: string | undefined;
  markdown.split('\n').forEach((text, index) => {
    const marker = /^\s*(```+|~~~+)/.exec(text)?.[1];
    if (marker) {
      if (fence === undefined) fence = marker[0];
      else if (marker[0] === fence) fence = undefined;
      return;
    }
    if (fence === undefined) lines.push({ line: index + 1, text: text.replace(/`[^`]*`/g, '``') });
  });
  return lines;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
function slug(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
    .replace(/ /g, '-');
}

/** Each heading's text, in order (ATX headings outside code blocks). */
function headings(markdown: string): string[] {
  const found: string[] = [];
  let fence: string | undefined;
  for (const text of markdown.split('\n')) {
    const marker = /^\s*(```+|~~~+)/.exec(text)?.[1];
    if (marker) {
      if (fence === undefined) fence = marker[0];
      else if (marker[0] === fence) fence = undefined;
      continue;
    }
    const heading = fence === undefined ? /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text)?.[1] : undefined;
    if (heading !== undefined) found.push(heading);
  }
  return found;
}

/** Every anchor the headings make, duplicates numbered as GitHub numbers them. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const heading of headings(markdown)) {
    const base = slug(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

type Read = (file: string) => string | undefined;

const readFromDisk: Read = (file) =>
  existsSync(join(ROOT, file)) ? readFileSync(join(ROOT, file), 'utf8') : undefined;

/** The broken links of one Markdown file, as `file:line: target (why)`. */
function brokenLinks(file: string, markdown: string, read: Read = readFromDisk): string[] {
  const problems: string[] = [];
  for (const { line, text } of proseLines(markdown)) {
    for (const match of text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const target = match[1] ?? '';
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
      const [path = '', anchor] = target.split('#', 2);
      const targetFile = path === '' ? file : join(dirname(file), decodeURIComponent(path));
      const where = `${file}:${line}: ${target}`;
      if (targetFile.startsWith('..')) {
        problems.push(`${where} (outside the repository)`);
        continue;
      }
      const content = path === '' ? markdown : read(targetFile);
      if (content === undefined && !existsSync(join(ROOT, targetFile))) {
        problems.push(`${where} (no such file)`);
        continue;
      }
      if (anchor !== undefined && anchor !== '') {
        if (!targetFile.endsWith('.md') || content === undefined) {
          problems.push(`${where} (an anchor into a file that is not Markdown)`);
        } else if (!anchors(content).has(decodeURIComponent(anchor))) {
          problems.push(`${where} (no heading with this anchor in ${targetFile})`);
        }
      }
    }
  }
  return problems;
}

/**
 * The broken documentation references of one source file: `docs/<name>.md` must exist,
 * and `docs/<name>.md, "Heading"` must name one of its headings.
 */
function brokenDocReferences(file: string, source: string, read: Read = readFromDisk) {
  const problems: string[] = [];
  source.split('\n').forEach((text, index) => {
    for (const match of text.matchAll(/\b(docs\/[a-z-]+\.md)(?:,\s*"([^"]+)")?/g)) {
      const [, doc = '', heading] = match;
      const where = `${file}:${index + 1}: ${doc}`;
      const content = read(doc);
      if (content === undefined) {
        problems.push(`${where} (no such file)`);
      } else if (
        heading !== undefined &&
        !headings(content).some((h) => h.toLowerCase() === heading.toLowerCase())
      ) {
        problems.push(`${where}, "${heading}" (no such heading)`);
      }
    }
  });
  return problems;
}

describe('links in the Markdown files', () => {
  const files = tracked('*.md');

  it('finds the README and the docs', () => {
    expect(files).toEqual(expect.arrayContaining(['README.md', 'docs/README.md']));
  });

  it('reach an existing file, and a heading of it for an anchor', () => {
    const problems = files.flatMap((file) =>
      brokenLinks(file, readFileSync(join(ROOT, file), 'utf8')),
    );
    expect(problems).toEqual([]);
  });

  it('would report a missing file, a missing heading and a link out of the repository', () => {
    const docs: Record<string, string> = {
      'docs/a.md': '# A\n\n## Posting exactly once\n\n## Posting exactly once\n',
    };
    const read: Read = (file) => docs[file];
    const markdown = [
      '[ok](a.md#posting-exactly-once) [ok too](a.md#posting-exactly-once-1) [self](#here)',
      '# Here',
      '[gone](missing.md) [no anchor](a.md#posting-twice) [out](../../elsewhere/GUIDE.md)',
      '`[in code](nowhere.md)`',
      '```',
      '[in a fence](nowhere.md)',
      '```',
    ].join('\n');
    expect(brokenLinks('docs/b.md', markdown, read)).toEqual([
      'docs/b.md:3: missing.md (no such file)',
      'docs/b.md:3: a.md#posting-twice (no heading with this anchor in docs/a.md)',
      'docs/b.md:3: ../../elsewhere/GUIDE.md (outside the repository)',
    ]);
  });

  it('makes the anchors GitHub makes', () => {
    expect(slug("4. Put each channel's credentials in its secret")).toBe(
      '4-put-each-channels-credentials-in-its-secret',
    );
    expect(slug('Syndication: telling the CMS where each post went')).toBe(
      'syndication-telling-the-cms-where-each-post-went',
    );
    expect(slug('The `CRIER_SANDBOX_FAULTS` knob')).toBe('the-crier_sandbox_faults-knob');
  });
});

describe("the code's references to docs/", () => {
  // This file's own examples name documents that do not exist, on purpose.
  const self = 'tests/unit/docs/links.test.ts';
  const sources = tracked('*.ts', '*.mjs', '*.tsx').filter(
    (file) => !file.startsWith('tests/fixtures/') && file !== self,
  );

  it('name documents and headings that exist', () => {
    const problems = sources.flatMap((file) =>
      brokenDocReferences(file, readFileSync(join(ROOT, file), 'utf8')),
    );
    expect(problems).toEqual([]);
  });

  it('would report a missing document and a missing heading', () => {
    const read: Read = (file) => (file === 'docs/a.md' ? '# A\n\n## Numbers\n' : undefined);
    const source = [
      '// docs/a.md, "Numbers" and docs/a.md, "numbers"',
      '// docs/gone.md; docs/a.md, "Letters"',
    ].join('\n');
    expect(brokenDocReferences('x.ts', source, read)).toEqual([
      'x.ts:2: docs/gone.md (no such file)',
      'x.ts:2: docs/a.md, "Letters" (no such heading)',
    ]);
  });
});
