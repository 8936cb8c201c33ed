import { resolve } from 'node:path';
import type { SettingsRequest } from '../engine/settings-resolver.ts';
import { resolveSettings, SettingsError } from '../engine/settings-resolver.ts';
import { formatDiagnostic, parseScriptFile, readScriptMeta } from '../script/index.ts';
import type { Diagnostic, ScriptDocument } from '../script/types.ts';
import type { CliContext } from './context.ts';
import { outputPathFor } from './context.ts';

export interface ScriptChoices {
  recipe?: string | undefined;
  voice?: string | undefined;
  videoPreset?: string | undefined;
  out?: string | undefined;
}

export type PreparedScript =
  | { ok: true; path: string; request: SettingsRequest; document: ScriptDocument }
  | { ok: false; path: string; diagnostics: Diagnostic[] };

/**
 * Validate a script with the vocabulary of the voice it will be spoken with, before any job exists:
 * the recipe and voice come from the command line, else the script's front matter, else the recipe.
 */
export async function prepareScript(
  ctx: CliContext,
  file: string,
  choices: ScriptChoices,
): Promise<PreparedScript> {
  const path = resolve(file);
  const meta = await readScriptMeta(path);
  const request: SettingsRequest = {
    recipe: choices.recipe ?? meta.recipe,
    voicePreset: choices.voice ?? meta.voice,
    videoPreset: choices.videoPreset,
    input: { kind: 'script', scriptPath: path, outputPath: resolve(outputPathFor(path, choices.out)) },
  };
  let settings: ReturnType<typeof resolveSettings>;
  try {
    settings = resolveSettings(ctx.database.db, request);
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    return {
      ok: false,
      path,
      diagnostics: [{ file, line: 1, col: 1, severity: 'error', message: error.message }],
    };
  }
  const result = await parseScriptFile(path, {
    directionMap: settings.voice.directionMap,
    language: settings.voice.language,
  });
  if (!result.ok) return { ok: false, path, diagnostics: result.diagnostics.map((d) => ({ ...d, file })) };
  return {
    ok: true,
    path,
    request,
    document: { ...result.document, warnings: result.document.warnings.map((d) => ({ ...d, file })) },
  };
}

export function diagnosticsText(diagnostics: Diagnostic[]): string {
  return diagnostics.map(formatDiagnostic).join('\n');
}
