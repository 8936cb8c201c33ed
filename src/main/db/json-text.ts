import { customType } from 'drizzle-orm/sqlite-core';

/**
 * A stored JSON cell that does not parse. Drizzle's own JSON mode threw a bare SyntaxError ("Expected
 * property name or '}' in JSON at position 1") that named neither the column nor the row, and a
 * listing failed whole for one cell edited by hand.
 */
export class StoredJsonError extends Error {
  override name = 'StoredJsonError';
  readonly column: string;
  readonly reason: string;
  constructor(column: string, reason: string, row?: string) {
    super(`${row ? `${row}: ` : ''}its ${column} is not JSON (${reason})`);
    this.column = column;
    this.reason = reason;
  }
}

/** Runs a read of one row, so that a cell that does not parse is named with its row ("recipe "x""). */
export function readingRow<T>(row: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof StoredJsonError) throw new StoredJsonError(error.column, error.reason, row);
    throw error;
  }
}

/** A TEXT column holding JSON (the same SQL as drizzle's `text(name, { mode: 'json' })`). */
export function jsonText<T>(column: string) {
  return customType<{ data: T; driverData: string }>({
    dataType: () => 'text',
    toDriver: (value) => JSON.stringify(value),
    fromDriver: (stored) => {
      try {
        return JSON.parse(stored) as T;
      } catch (error) {
        throw new StoredJsonError(column, (error as Error).message);
      }
    },
  })(column);
}
