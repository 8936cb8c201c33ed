/**
 * The only shapes a value taken from the network may have before it names anything on disk or in
 * the database: never a file path, so nothing can escape the data folder.
 */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export { isSha256 } from '../../util/hash.ts';

export function isFarmId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}
