/** A refused form's failing fields, by the form field each belongs to. */

/** The fields a 400 names, by form field (`sites.0` is the `sites` field's); messages joined. */
export function fieldErrors(
  fields: readonly { field: string; message: string }[] | null | undefined,
): Record<string, string> {
  const byField: Record<string, string> = {};
  for (const { field, message } of fields ?? []) {
    const name = field.split('.')[0] || field;
    byField[name] = byField[name] ? `${byField[name]}; ${message}` : message;
  }
  return byField;
}
