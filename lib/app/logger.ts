// A tiny structured logger: one JSON-ish line per event, so local output and Functions logs read the same.

/** Where the app writes what happened; fields are flat key/values (request id, job id, error). */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const render = (fields?: Record<string, unknown>): string => {
  if (!fields) return '';
  const parts = Object.entries(fields).map(([k, v]) => {
    if (v instanceof Error) return `${k}=${JSON.stringify(v.stack ?? v.message)}`;
    return `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`;
  });
  return parts.length ? ` ${parts.join(' ')}` : '';
};

/** Logs to stdout/stderr with a level prefix. */
export const consoleLogger: Logger = {
  info: (m, f) => console.log(`[info] ${m}${render(f)}`),
  warn: (m, f) => console.warn(`[warn] ${m}${render(f)}`),
  error: (m, f) => console.error(`[error] ${m}${render(f)}`),
};

/** Discards everything (tests that do not look at logs). */
export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/** Keeps every entry in memory so a test can assert what was logged. */
export function recordingLogger(): Logger & { entries: Array<{ level: string; message: string; fields?: Record<string, unknown> }> } {
  const entries: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  return {
    entries,
    info: (message, fields) => entries.push({ level: 'info', message, fields }),
    warn: (message, fields) => entries.push({ level: 'warn', message, fields }),
    error: (message, fields) => entries.push({ level: 'error', message, fields }),
  };
}
