import { DiagnosticCollector } from './diagnostics.ts';
import { type FrontMatter, parseFrontMatter } from './front-matter.ts';
import { checkScriptText, readScriptSource } from './input.ts';
import { SCRIPT_LIMITS } from './limits.ts';
import type { ScriptMeta } from './types.ts';

/**
 * Only the front matter of a script file, for choosing the recipe and voice BEFORE the full parse
 * (the voice decides the direction vocabulary). Never throws and never reports: any problem yields
 * `{}` and is reported, located, by the full parse that follows.
 */
export async function readScriptMeta(path: string, options: { maxBytes?: number } = {}): Promise<ScriptMeta> {
  return (await readScriptFrontMatter(path, options)).meta;
}

/** readScriptMeta, with where each value stands (to place a problem with the recipe or voice it names). */
export async function readScriptFrontMatter(
  path: string,
  options: { maxBytes?: number } = {},
): Promise<Pick<FrontMatter, 'meta' | 'positions'>> {
  const maxBytes = options.maxBytes ?? SCRIPT_LIMITS.maxBytes;
  const source = await readScriptSource(path, maxBytes);
  if (!source.ok) return { meta: {}, positions: {} };
  const checked = checkScriptText(source.text, path, maxBytes);
  if (!checked.ok) return { meta: {}, positions: {} };
  const { meta, positions } = parseFrontMatter(
    checked.text.split(/\r\n|\r|\n/),
    new DiagnosticCollector(path),
  );
  return { meta, positions };
}
