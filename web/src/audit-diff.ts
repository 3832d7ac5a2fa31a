/**
 * An audit entry's `before` and `after` as a reader takes them in: the fields that
 * changed, old → new, nested fields named by their path (`schedule.minutes`).
 */

export type FieldChange =
  | { field: string; kind: 'changed'; before: unknown; after: unknown }
  | { field: string; kind: 'added'; after: unknown }
  | { field: string; kind: 'removed'; before: unknown };

export type AuditDiff = {
  /** `created`: nothing before; `removed`: nothing after; else the fields that changed */
  kind: 'created' | 'removed' | 'changed';
  changes: FieldChange[];
};

type Fields = Record<string, unknown>;

const isPlainObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Objects with their keys in order, so `{a, b}` and `{b, a}` are the same value. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/**
 * The leaves of an object by their dotted path; arrays are values, compared whole. A null
 * is no value (a merge patch's null removes the field), so `routing: null` becoming
 * `{ sections: [...] }` reads as `routing.sections` added.
 */
function flatten(value: Fields, prefix = '', into = new Map<string, unknown>()) {
  for (const [key, child] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (child === null || child === undefined) continue;
    if (isPlainObject(child) && Object.keys(child).length > 0) flatten(child, path, into);
    else into.set(path, child);
  }
  return into;
}

/** What changed between `before` and `after` (null or absent where there is none). */
export function auditDiff(before: Fields | null | undefined, after: Fields | null | undefined) {
  const old = flatten(before ?? {});
  const now = flatten(after ?? {});
  const changes: FieldChange[] = [];
  const fields = [...new Set([...old.keys(), ...now.keys()])].sort();
  for (const field of fields) {
    const had = old.has(field);
    const has = now.has(field);
    if (had && has) {
      if (canonical(old.get(field)) !== canonical(now.get(field))) {
        changes.push({ field, kind: 'changed', before: old.get(field), after: now.get(field) });
      }
    } else if (has) {
      changes.push({ field, kind: 'added', after: now.get(field) });
    } else if (had) {
      changes.push({ field, kind: 'removed', before: old.get(field) });
    }
  }
  const kind: AuditDiff['kind'] = !before ? 'created' : !after ? 'removed' : 'changed';
  return { kind, changes } satisfies AuditDiff;
}

/** A value as a short line of text: strings bare, the rest as JSON, long ones cut. */
export function formatAuditValue(value: unknown, max = 120): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
