import { printable } from '../../shared/text.ts';
import { openApp } from '../app/open-app.ts';
import { resolveSettings } from '../engine/settings-resolver.ts';
import { diagnosticsText, prepareScript } from '../intake/prepare-script.ts';
import { azureVoiceName } from '../pipeline/inline-voices.ts';
import { ssmlVoiceOf } from '../pipeline/ssml-step.ts';
import { buildDocumentSsml } from '../script/index.ts';
import { formatLength } from '../speech/spoken-length.ts';
import { parseCommandArgs } from './args.ts';
import { type CliIo, EXIT, printJson, UsageError } from './io.ts';

export const CHECK_USAGE =
  'usage: vfo check <script> [--ssml] [--recipe SLUG] [--voice SLUG] [--video-preset SLUG] [--json] [--data DIR]';

/** `vfo check`: every problem as file:line:col; with --ssml, the SSML the voice would be given. */
export async function checkCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    ssml: { type: 'boolean' },
    recipe: { type: 'string' },
    voice: { type: 'string' },
    'video-preset': { type: 'string' },
  });
  if (values.help) {
    io.out(CHECK_USAGE);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new UsageError(`give exactly one script\n${CHECK_USAGE}`);
  const ctx = await openApp({ data: values.data });
  try {
    const prepared = await prepareScript(ctx, positionals[0] as string, {
      recipe: values.recipe,
      voice: values.voice,
      videoPreset: values['video-preset'],
    });
    if (values.json) {
      printJson(io, {
        file: positionals[0],
        ok: prepared.ok,
        diagnostics: prepared.ok ? prepared.document.warnings : prepared.diagnostics,
        ...(prepared.estimatedMs !== undefined
          ? { estimatedSeconds: Math.round(prepared.estimatedMs / 1000) }
          : {}),
        ...(prepared.ok
          ? { scenes: prepared.document.scenes.length, title: prepared.document.meta.title ?? null }
          : {}),
      });
    } else if (prepared.ok) {
      for (const w of prepared.document.warnings) io.err(diagnosticsText([w]));
      if (values.ssml) {
        const settings = resolveSettings(ctx.database.db, prepared.request);
        // As the ssml step writes it, a voice switched to named as Azure knows it.
        const voiceName = azureVoiceName(ctx.services.voiceNamesOf);
        io.out(buildDocumentSsml(prepared.document, ssmlVoiceOf(settings.voice), voiceName));
      } else {
        const speech = prepared.document.scenes
          .flatMap((s) => s.items)
          .filter((i) => i.kind === 'speech').length;
        const length = formatLength(prepared.estimatedMs);
        io.out(
          `${printable(positionals[0] ?? '')}: ok (${prepared.document.scenes.length} scenes, ${speech} sentences, about ${length})`,
        );
      }
    } else {
      io.err(diagnosticsText(prepared.diagnostics));
    }
    return prepared.ok ? EXIT.ok : EXIT.invalid;
  } finally {
    await ctx.close();
  }
}
