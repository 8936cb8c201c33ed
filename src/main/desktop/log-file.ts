/**
 * The app's log file: a GUI app launched from Finder has no terminal, so its log lines (and the encode
 * runner's) go to <data>/logs/main.log, rotated once to main.log.1 when it grows past a limit.
 */
import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LogRecord, LogSink } from '../log/logger.ts';

export const DEFAULT_LOG_LIMIT = 5 * 1024 * 1024;

export function formatLogRecord(record: LogRecord): string {
  const fields = Object.keys(record.fields).length ? ` ${JSON.stringify(record.fields)}` : '';
  return `${record.time} ${record.level.toUpperCase()} [${record.logger}] ${record.message}${fields}\n`;
}

export interface LogFile {
  sink: LogSink;
  /** Text that is already formatted (the runner's stderr). */
  write(text: string): void;
}

/**
 * Appends synchronously: lines are few (warnings and errors by default) and must survive a crash
 * that follows them. A write that fails is dropped; logging never takes the app down.
 */
export function openLogFile(path: string, limitBytes = DEFAULT_LOG_LIMIT): LogFile {
  let size = 0;
  try {
    mkdirSync(dirname(path), { recursive: true });
    size = statSync(path).size;
  } catch {
    size = 0;
  }
  const write = (text: string) => {
    try {
      if (size + text.length > limitBytes && size > 0) {
        renameSync(path, `${path}.1`);
        size = 0;
      }
      appendFileSync(path, text);
      size += Buffer.byteLength(text);
    } catch {
      // Disk full or the folder vanished: nothing sensible to do from a logger.
    }
  };
  return { sink: (record) => write(formatLogRecord(record)), write };
}
