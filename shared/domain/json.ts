/** Reading text that should be JSON of a known shape, and may be neither. */
import type { z } from 'zod';

export type JsonRead<T> = { success: true; data: T } | { success: false; error: unknown };

/**
 * `text` parsed as JSON and checked against `schema`. Never throws: a failure carries the
 * SyntaxError or the ZodError, for callers that name a cause.
 */
export function parseJson<S extends z.ZodType>(schema: S, text: string): JsonRead<z.output<S>> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { success: false, error };
  }
  const parsed = schema.safeParse(json);
  return parsed.success
    ? { success: true, data: parsed.data }
    : { success: false, error: parsed.error };
}
