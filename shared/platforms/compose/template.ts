/** Post templates: `{placeholder}` substitution and the line rules in docs/configuring.md. */
import { TEMPLATE_FIELDS, type TemplateField } from '../../domain/channel';

export type TemplateValues = Record<TemplateField, string>;

const PLACEHOLDER = new RegExp(`\\{(${TEMPLATE_FIELDS.join('|')})\\}`, 'g');

// Controls (but tab and newline), lone surrogates, BOM and noncharacters: networks show
// nothing for them or reject the post (twitter-text calls U+FEFF, U+FFFE, U+FFFF invalid).
const INVISIBLE = /(?![\t\n])[\p{Cc}\p{Cs}\ufeff\ufffe\uffff]/gu;

export function stripInvisible(text: string): string {
  return text.replace(INVISIBLE, '');
}

/** The placeholders a template uses: the fitter only spends effort on what shows. */
export function templateFields(template: string): Set<TemplateField> {
  return new Set(Array.from(template.matchAll(PLACEHOLDER), (m) => m[1] as TemplateField));
}

/**
 * Fills the template. A line whose placeholders all came out empty and that has no other
 * text disappears; spaces an empty placeholder leaves behind fold; runs of blank lines
 * fold to one; the post is trimmed and NFC.
 */
export function renderTemplate(template: string, values: TemplateValues): string {
  const lines: string[] = [];
  for (const line of stripInvisible(template).replace(/\r\n?/g, '\n').split('\n')) {
    const rendered = renderLine(line, values);
    if (rendered === undefined || (rendered === '' && lines.at(-1) === '')) continue;
    lines.push(rendered);
  }
  return lines.join('\n').trim().normalize('NFC');
}

/**
 * What is left of a line once all its placeholders came out empty, if it only labelled
 * them: one word and a colon (`Photo:`), or no letter or digit at all (`📷`, `()`, `—`).
 */
const LABEL_ONLY = /^(?:[^\p{L}\p{N}]*|[\p{L}\p{N}]+:)$/u;

function renderLine(line: string, values: TemplateValues): string | undefined {
  let leftEmpty = false;
  let filled = false;
  const rendered = line.replace(PLACEHOLDER, (_, name: TemplateField) => {
    const value = stripInvisible(values[name]).trim();
    if (!value) leftEmpty = true;
    else filled = true;
    return value;
  });
  if (!leftEmpty) return rendered.trimEnd();
  if (rendered.trim() === '') return undefined;
  if (!filled && LABEL_ONLY.test(rendered.trim())) return undefined;
  return rendered.replace(/[^\S\n]{2,}/g, ' ').trim();
}
