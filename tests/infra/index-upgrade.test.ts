/**
 * The upgrade of a deployed table's indexes as docs/deploying.md writes it out, command
 * by command: CloudFormation adds or deletes one index of a table a deploy, so each step
 * may change one index at most; a step that deploys the functions must hold every index
 * they read; and the last step leaves the table with the indexes the code defines.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LEGACY_INDEXES } from '../../infra/config';
import { REPOSITORY_ROOT } from '../../infra/constructs/bundling';
import { TABLE } from '../../shared/resources';

const CURRENT = Object.values(TABLE.indexes).map((index) => index.name);
const KNOWN = new Set([...CURRENT, ...LEGACY_INDEXES.map((index) => index.name)]);

type Step = { command: string; indexes: string[]; stack: 'stateful' | 'all' };

/** The `cdk deploy` commands of a section's shell blocks, their variables expanded. */
function deploySteps(markdown: string, heading: string): Step[] {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`no heading "${heading}"`);
  const level = heading.split(' ')[0] ?? '###';
  const rest = markdown.slice(start + heading.length + 2);
  const end = rest.search(new RegExp(`\\n#{2,${level.length}} `));
  const section = end < 0 ? rest : rest.slice(0, end);
  const variables = new Map<string, string>();
  const expand = (text: string) =>
    text.replace(/\$([A-Z_]+)/g, (_, name: string) => {
      const value = variables.get(name);
      if (value === undefined) throw new Error(`$${name} is used before it is set`);
      return value;
    });
  const steps: Step[] = [];
  for (const block of section.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of (block[1] ?? '').split('\n').map((l) => l.trim())) {
      const assignment = /^([A-Z_]+)=(\S+)$/.exec(line);
      if (assignment?.[1] && assignment[2]) {
        variables.set(assignment[1], expand(assignment[2]));
        continue;
      }
      if (!line.startsWith('npx cdk deploy')) continue;
      const named = /-c tableIndexes=(\S+)/.exec(line)?.[1];
      steps.push({
        command: line,
        indexes: named === undefined ? CURRENT : expand(named).split(','),
        stack: / --all( |$)/.test(line) ? 'all' : 'stateful',
      });
    }
  }
  return steps;
}

describe("docs/deploying.md's upgrade of the table's indexes", () => {
  const markdown = readFileSync(join(REPOSITORY_ROOT, 'docs/deploying.md'), 'utf8');
  const steps = deploySteps(markdown, "### Upgrading the table's indexes");

  it('changes one index a deploy, from the first indexes to those the code reads', () => {
    expect(steps.length).toBeGreaterThan(CURRENT.length);
    let table = LEGACY_INDEXES.map((index) => index.name);
    for (const step of steps) {
      for (const name of step.indexes) expect(KNOWN, step.command).toContain(name);
      expect(new Set(step.indexes).size, step.command).toBe(step.indexes.length);
      const added = step.indexes.filter((name) => !table.includes(name));
      const dropped = table.filter((name) => !step.indexes.includes(name));
      expect(added.length + dropped.length, step.command).toBeLessThanOrEqual(1);
      table = step.indexes;
    }
    expect([...table].sort()).toEqual([...CURRENT].sort());
  });

  it('deploys the functions only once the table holds every index they read', () => {
    const withFunctions = steps.filter((step) => step.stack === 'all');
    expect(withFunctions.length).toBeGreaterThan(0);
    for (const step of withFunctions) {
      expect(step.indexes, step.command).toEqual(expect.arrayContaining(CURRENT));
    }
  });
});
