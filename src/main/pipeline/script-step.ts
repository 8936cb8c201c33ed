import { StepError } from '../engine/errors.ts';
import type { StepHandler } from '../engine/step-handler.ts';
import { formatDiagnostic, parseScriptFile } from '../script/index.ts';
import { sha256File } from '../util/hash.ts';
import { writeWorkJson } from './files.ts';

/** Bump when the parser's output for the same script can change. */
const PARSER_VERSION = 'script-parser/1';

/** Script file → checked ScriptDocument (script.json). Invalid scripts fail for good, with locations. */
export function scriptParseStep(): StepHandler {
  return {
    kind: 'script.parse',
    version: () => PARSER_VERSION,
    config: ({ settings }) => ({
      directionMap: settings.voice.directionMap,
      language: settings.voice.language,
    }),
    fingerprint: async ({ settings }) => {
      const path = settings.input.scriptPath;
      try {
        return { path, sha256: (await sha256File(path)).sha256 };
      } catch (error) {
        throw new StepError(
          'invalid-input',
          `${path}:1:1: error: cannot read the script (${(error as Error).message})`,
        );
      }
    },
    async run(ctx) {
      const result = await parseScriptFile(ctx.settings.input.scriptPath, {
        directionMap: ctx.settings.voice.directionMap,
        language: ctx.settings.voice.language,
      });
      if (!result.ok)
        throw new StepError('invalid-input', result.diagnostics.map(formatDiagnostic).join('\n'));
      const { document } = result;
      for (const warning of document.warnings.slice(0, 20)) ctx.warn(formatDiagnostic(warning));
      return {
        files: { document: { path: await writeWorkJson(ctx, 'script.json', document), type: 'script' } },
        data: { title: document.meta.title ?? null, scenes: document.scenes.length },
      };
    },
  };
}
