import { readFile } from 'node:fs/promises';
import { LRUCache } from 'lru-cache';
import { StepError } from '../engine/errors.ts';
import type { JobSettings } from '../engine/job-settings.ts';
import { NO_OPTIONS, type StepHandler } from '../engine/step-handler.ts';
import {
  formatDiagnostic,
  type ParseOptions,
  type ParseResult,
  parseScriptText,
  readScriptSource,
  SCRIPT_LIMITS,
} from '../script/index.ts';
import {
  CLIP_MEDIA,
  IMAGE_MEDIA,
  type MediaKind,
  type MediaPlaces,
  MUSIC_MEDIA,
  resolveMediaPath,
} from '../script/media-path.ts';
import type { MusicCue, ScriptDocument } from '../script/types.ts';
import { checkSpokenLength } from '../speech/spoken-length.ts';
import { hashJson } from '../util/hash.ts';
import { writeWorkJson } from './files.ts';
import { jobMediaPlaces } from './media-places.ts';
import { undrawableTextConfig, undrawableTextWarnings } from './script-warnings.ts';
import type { PipelineServices } from './services.ts';

/** How a script written by Claude is named in diagnostics. */
export const WRITTEN_SCRIPT_NAME = 'written-script.md';

/** Bump when the parser's output for the same script can change. */
// /2: media resolve only inside the script's folder or a media root; images are {written, path, line, col}.
const PARSER_VERSION = 'script-parser/2';

/** Script file → checked ScriptDocument (script.json). Invalid scripts fail for good, with locations. */
export function scriptParseStep(services: Pick<PipelineServices, 'dataDir' | 'resourcesDir'>): StepHandler {
  // The media each script version names, as written: a fingerprint resolves them again each time (that
  // is what it is for) without parsing again, which took 0.5 s for a 2 MB script, on every fingerprint.
  const namedMedia = new LRUCache<string, NamedMedium[]>({ max: 16 });
  return {
    kind: 'script.parse',
    options: NO_OPTIONS,
    reads: { write: 'script.write' },
    version: () => PARSER_VERSION,
    config: ({ settings }) => ({
      directionMap: settings.voice.directionMap,
      language: settings.voice.language,
      mediaRoots: settings.media?.roots ?? [],
      drawn: undrawableTextConfig(settings, services.resourcesDir),
    }),
    fingerprint: async ({ settings, inputs }) => {
      // A written script arrives as an input file, already part of the hash.
      if (inputs.write || settings.input.kind !== 'script') return null;
      const path = settings.input.scriptPath;
      const source = await readScriptSource(path, SCRIPT_LIMITS.maxBytes);
      if (!source.ok) throw new StepError('invalid-input', formatDiagnostic(source.diagnostic));
      // Where its media lie now: a symlink pointed at another file since is another parse. The stored
      // one named the old file, which the plan then refused as not found, render after render.
      const options = parseOptions(settings, services.dataDir);
      const key = `${source.sha256}:${hashJson(options)}`;
      let named = namedMedia.get(key);
      if (!named) {
        const parsed = parseScriptText(source.text, path, options);
        named = parsed.ok ? namedMediaOf(parsed.document) : [];
        namedMedia.set(key, named);
      }
      const media = named.map(({ written, kind }) => {
        const now = resolveMediaPath(written, options.media, kind);
        return now.ok ? now.path : null;
      });
      return { path, sha256: source.sha256, media };
    },
    async run(ctx) {
      const options = parseOptions(ctx.settings, services.dataDir);
      const written = ctx.inputs.write?.files.script;
      const input = ctx.settings.input;
      if (!written && input.kind !== 'script') {
        throw new StepError(
          'fatal',
          'this recipe has no script: a job from a brief needs a "script.write" step',
        );
      }
      const result = written
        ? parseScriptText(await readFile(written.path, 'utf8'), WRITTEN_SCRIPT_NAME, options)
        : await parseHashedScript((input as { scriptPath: string }).scriptPath, ctx.fingerprint, options);
      if (!result.ok)
        throw new StepError('invalid-input', result.diagnostics.map(formatDiagnostic).join('\n'));
      const { document } = result;
      // The same refusal as the script check's: a script Claude wrote is checked here for the first time.
      const { problem } = checkSpokenLength(document, ctx.settings.voice);
      if (problem) throw new StepError('invalid-input', formatDiagnostic(problem));
      // Text the video's fonts cannot draw, as the check said it (its length against the video
      // preset is the narration's to know: the voice is not this step's).
      const undrawn = await undrawableTextWarnings(document, ctx.settings, services.resourcesDir).catch(
        () => [],
      );
      const warnings = [...document.warnings, ...undrawn];
      for (const warning of warnings.slice(0, 20))
        ctx.warn(formatDiagnostic({ ...warning, file: document.file }));
      return {
        files: { document: { path: await writeWorkJson(ctx, 'script.json', document), type: 'script' } },
        data: { title: document.meta.title ?? null, scenes: document.scenes.length },
      };
    },
  };
}

/**
 * Parses the very bytes the step's hash was made of: a script saved between the hash and the read
 * was stored under the old version's hash, and every later render reused its words (found by a
 * review that saved a script in a loop during renders). A changed script fails the attempt; the
 * retry hashes and reads it again.
 */
async function parseHashedScript(
  path: string,
  fingerprint: unknown,
  options: ParseOptions,
): Promise<ParseResult> {
  const source = await readScriptSource(path, SCRIPT_LIMITS.maxBytes);
  if (!source.ok) return { ok: false, diagnostics: [source.diagnostic], media: [] };
  if ((fingerprint as { sha256?: unknown } | null)?.sha256 !== source.sha256)
    throw new StepError('retryable', `${path} changed while it was read: it is read again`);
  return parseScriptText(source.text, path, options);
}

function parseOptions(settings: JobSettings, dataDir: string): ParseOptions & { media: MediaPlaces } {
  return {
    directionMap: settings.voice.directionMap,
    language: settings.voice.language,
    media: jobMediaPlaces(settings, dataDir),
  };
}

interface NamedMedium {
  written: string;
  kind: MediaKind;
}

/** Every medium a parsed script names, as written, with what it must be, in order. */
function namedMediaOf(document: ScriptDocument): NamedMedium[] {
  const named: NamedMedium[] = [];
  const musicOf = (cue: MusicCue | undefined) =>
    cue?.kind === 'file' ? [{ written: cue.media.written, kind: MUSIC_MEDIA }] : [];
  for (const scene of document.scenes) {
    if (scene.image) named.push({ written: scene.image.written, kind: IMAGE_MEDIA });
    if (scene.clip) named.push({ written: scene.clip.written, kind: CLIP_MEDIA });
    named.push(...musicOf(scene.music));
  }
  named.push(...musicOf(document.music));
  if (document.thumbnail) named.push({ written: document.thumbnail.written, kind: IMAGE_MEDIA });
  return named;
}
