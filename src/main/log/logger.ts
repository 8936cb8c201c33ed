/**
 * One named logger per module (`createLogger('Engine')`), structured fields on every line.
 * Core code never calls console directly: the sink decides where lines go (stderr for the CLI,
 * a file or the GUI for the app) and tests can capture them.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface LogRecord {
  time: string;
  level: LogLevel;
  logger: string;
  message: string;
  fields: LogFields;
}

export type LogSink = (record: LogRecord) => void;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

let minimumLevel: LogLevel = (process.env.VFO_LOG_LEVEL as LogLevel | undefined) ?? 'warn';
let sinks: LogSink[] = [stderrSink];

function stderrSink(record: LogRecord): void {
  const fields = Object.keys(record.fields).length ? ` ${JSON.stringify(record.fields)}` : '';
  process.stderr.write(
    `${record.time} ${record.level.toUpperCase()} [${record.logger}] ${record.message}${fields}\n`,
  );
}

export function setLogLevel(level: LogLevel): void {
  minimumLevel = level;
}

/** Replace where log lines go; returns a function that restores the previous sinks. */
export function setLogSinks(next: LogSink[]): () => void {
  const previous = sinks;
  sinks = next;
  return () => {
    sinks = previous;
  };
}

export function addLogSink(sink: LogSink): () => void {
  sinks = [...sinks, sink];
  return () => {
    sinks = sinks.filter((s) => s !== sink);
  };
}

export function createLogger(name: string, baseFields: LogFields = {}): Logger {
  const emit = (level: LogLevel, message: string, fields?: LogFields): void => {
    if (LEVEL_RANK[level] < LEVEL_RANK[minimumLevel]) return;
    const record: LogRecord = {
      time: new Date().toISOString(),
      level,
      logger: name,
      message,
      fields: { ...baseFields, ...fields },
    };
    for (const sink of sinks) sink(record);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(name, { ...baseFields, ...fields }),
  };
}
