/** The Bot API's structured parameters: entities, link preview options, parse modes, replies. */
import { fail, integerParam, jsonParam, type Params, type Reply, stringParam } from './http';
import { type Chat, type LinkPreview, MAX_MESSAGE_LENGTH } from './state';
import {
  type Entity,
  EntityParseError,
  type Formatted,
  firstUrl,
  type LengthUnit,
  lengthOf,
  parseHtml,
  trimmed,
  withDetected,
} from './text';

export /** The preview options as given, or Telegram's default: the first link, below the text. */
function previewOf(given: LinkPreview | undefined, formatted: Formatted): LinkPreview | undefined {
  if (given?.is_disabled) return { is_disabled: true };
  const url = given?.url || firstUrl(formatted);
  if (!url) return undefined;
  return {
    url,
    ...(given?.prefer_small_media ? { prefer_small_media: true } : {}),
    ...(given?.prefer_large_media ? { prefer_large_media: true } : {}),
    ...(given?.show_above_text ? { show_above_text: true } : {}),
  };
}

const PREVIEW_KEYS = [
  'is_disabled',
  'url',
  'prefer_small_media',
  'prefer_large_media',
  'show_above_text',
];

export function parsePreview(value: unknown): { ok: true; preview?: LinkPreview } | { ok: false } {
  const parsed = jsonParam(value);
  if (!parsed.ok) return { ok: false };
  const raw = parsed.value;
  if (raw === undefined) return { ok: true };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false };
  const preview: LinkPreview = {};
  for (const [key, entry] of Object.entries(raw)) {
    if (!PREVIEW_KEYS.includes(key)) continue;
    if (key === 'url') {
      if (typeof entry !== 'string') return { ok: false };
      preview.url = entry;
    } else if (typeof entry !== 'boolean') {
      return { ok: false };
    } else if (key === 'is_disabled') preview.is_disabled = entry;
    else if (key === 'prefer_small_media') preview.prefer_small_media = entry;
    else if (key === 'prefer_large_media') preview.prefer_large_media = entry;
    else preview.show_above_text = entry;
  }
  return { ok: true, preview };
}

export function parseEntities(value: unknown): Entity[] | undefined {
  const parsed = jsonParam(value);
  if (!parsed.ok || !Array.isArray(parsed.value)) return undefined;
  const entities: Entity[] = [];
  for (const item of parsed.value) {
    if (typeof item !== 'object' || item === null) return undefined;
    const fields = Object.fromEntries(Object.entries(item));
    const { type, offset, length } = fields;
    if (
      typeof type !== 'string' ||
      typeof offset !== 'number' ||
      typeof length !== 'number' ||
      !Number.isInteger(offset) ||
      !Number.isInteger(length)
    ) {
      return undefined;
    }
    entities.push({ ...fields, type, offset, length });
  }
  return entities;
}

/** A text or caption as Telegram makes it: parsed, trimmed, its own entities found. */
export function format(text: string, params: Params, entitiesKey: string): Formatted | Reply {
  const mode = stringParam(params.get('parse_mode')) ?? '';
  let formatted: Formatted;
  if (mode === '') {
    const given = params.has(entitiesKey) ? parseEntities(params.get(entitiesKey)) : [];
    if (!given) return fail(400, `Bad Request: can't parse ${entitiesKey} JSON object`);
    formatted = { text, entities: given };
  } else if (mode.toLowerCase() === 'html') {
    try {
      formatted = parseHtml(text);
    } catch (error) {
      if (!(error instanceof EntityParseError)) throw error;
      return fail(400, `Bad Request: can't parse entities: ${error.message}`);
    }
  } else if (/^markdown(v2)?$/i.test(mode)) {
    // Telegram parses these too; the sandbox does not, and says so rather than guess.
    return fail(400, `Bad Request: can't parse entities: the sandbox does not parse ${mode}`);
  } else {
    return fail(400, 'Bad Request: unsupported parse_mode');
  }
  return withDetected(trimmed(formatted));
}

export function replyTarget(params: Params, chat: Chat): number | undefined | Reply {
  const parsed = jsonParam(params.get('reply_parameters'));
  const raw: unknown = parsed.ok ? parsed.value : undefined;
  const fromParameters =
    typeof raw === 'object' && raw !== null && 'message_id' in raw ? raw.message_id : undefined;
  const id = integerParam(fromParameters ?? params.get('reply_to_message_id'));
  if (id === undefined) return undefined;
  return chat.messages.has(id) ? id : fail(400, 'Bad Request: message to be replied not found');
}

/**
 * A message's text as sendMessage and editMessageText check it: formatted, not empty,
 * within the limit, with the link preview options it was given.
 */
export function messageText(
  text: string,
  params: Params,
  unit: LengthUnit,
): { formatted: Formatted; given: LinkPreview | undefined } | Reply {
  const formatted = format(text, params, 'entities');
  if ('kind' in formatted) return formatted;
  if (formatted.text === '') return fail(400, 'Bad Request: message text is empty');
  if (lengthOf(formatted.text, unit) > MAX_MESSAGE_LENGTH) {
    return fail(400, 'Bad Request: message is too long');
  }
  const preview = parsePreview(params.get('link_preview_options'));
  if (!preview.ok) return fail(400, "Bad Request: can't parse link preview options JSON object");
  return { formatted, given: preview.preview };
}
