/**
 * The local runtime's own log: one line per event, JSON (`CRIER_LOG_FORMAT=json`, or
 * when stdout is not a terminal) or a short human line. Handlers log on their own.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogFields = Record<string, unknown>;

export type LogEntry = { time: string; level: LogLevel; event: string } & LogFields;

export type Logger = {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  /** a logger whose lines all carry `fields` */
  child(fields: LogFields): Logger;
};

export type LoggerOptions = {
  /** nothing is written (tests); a `sink` still receives every entry */
  quiet?: boolean;
  format?: 'json' | 'pretty';
  /** receives every entry, quiet or not (tests assert on it) */
  sink?: (entry: LogEntry) => void;
  /** debug lines are written only when set (or CRIER_LOG_LEVEL=debug) */
  debug?: boolean;
};

/** Errors do not survive JSON.stringify; keep what a reader needs. */
function serialize(value: unknown): unknown {
  if (value instanceof Error) {
    const out: Record<string, unknown> = { name: value.name, message: value.message };
    if (value.stack) out.stack = value.stack;
    if (value.cause !== undefined) out.cause = serialize(value.cause);
    return out;
  }
  return value;
}

function prettyValue(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(`${value.name}: ${value.message}`);
  if (typeof value === 'string') return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value) ?? String(value);
}

function prettyLine(entry: LogEntry): string {
  const { time, level, event, ...fields } = entry;
  const parts = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${prettyValue(value)}`);
  const clock = time.slice(11, 23);
  const stack =
    level === 'error' && fields.error instanceof Error && fields.error.stack
      ? `\n${fields.error.stack}`
      : '';
  return `${clock} ${level.padEnd(5)} ${event}${parts.length > 0 ? ` ${parts.join(' ')}` : ''}${stack}`;
}

export function createLogger(options: LoggerOptions = {}, bound: LogFields = {}): Logger {
  const format =
    options.format ??
    (process.env.CRIER_LOG_FORMAT === 'json' || !process.stdout.isTTY ? 'json' : 'pretty');
  const debugOn = options.debug ?? process.env.CRIER_LOG_LEVEL === 'debug';

  const write = (level: LogLevel, event: string, fields: LogFields = {}): void => {
    const entry: LogEntry = { time: new Date().toISOString(), level, event, ...bound, ...fields };
    options.sink?.(entry);
    if (options.quiet || (level === 'debug' && !debugOn)) return;
    const line =
      format === 'json'
        ? JSON.stringify(entry, (_key, value: unknown) => serialize(value))
        : prettyLine(entry);
    (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(`${line}\n`);
  };

  return {
    debug: (event, fields) => write('debug', event, fields),
    info: (event, fields) => write('info', event, fields),
    warn: (event, fields) => write('warn', event, fields),
    error: (event, fields) => write('error', event, fields),
    child: (fields) => createLogger(options, { ...bound, ...fields }),
  };
}
