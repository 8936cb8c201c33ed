import { DiagnosticCollector } from './diagnostics.ts';
import { parseFrontMatter } from './front-matter.ts';
import { checkScriptText, readScriptSource } from './input.ts';
import { SCRIPT_LIMITS } from './limits.ts';
import type { ScriptMeta } from './types.ts';

/**
 * Only the front matter of a script file, for choosing the recipe and voice BEFORE the full parse
 * (the voice decides the direction vocabulary). Never throws and never reports: any problem yields
 * `{}` and is reported, located, by the full parse that follows.
 */
export async function readScriptMeta(path: string, options: { maxBytes?: number } = {}): Promise<ScriptMeta> {
  const maxBytes = options.maxBytes ?? SCRIPT_LIMITS.maxBytes;
  const source = await readScriptSource(path, maxBytes);
  if (!source.ok) return {};
  const checked = checkScriptText(source.text, path, maxBytes);
  if (!checked.ok) return {};
  return parseFrontMatter(checked.text.split(/\r\n|\r|\n/), new DiagnosticCollector(path)).meta;
}
