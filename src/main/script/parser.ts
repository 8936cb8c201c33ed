import { basename, extname } from 'node:path';
import { createLogger } from '../log/logger.ts';
import { defaultDirectionMap } from './default-directions.ts';
import { DiagnosticCollector } from './diagnostics.ts';
import { compileDirectionMap } from './directions.ts';
import { parseFrontMatter } from './front-matter.ts';
import { checkScriptText, readScriptSource } from './input.ts';
import { SCRIPT_LIMITS } from './limits.ts';
import { type CommentState, classifyLine, removeComments } from './markdown-blocks.ts';
import { type InlineProblem, scanInline } from './markdown-inline.ts';
import { type MediaPlaces, scriptFolderOnly } from './media-path.ts';
import { SceneBuilder } from './scene-builder.ts';
import type { DirectionMap, MusicCue, ParseResult, ScriptDocument } from './types.ts';

const log = createLogger('Script');

export interface ParseOptions {
  /** Stage-direction vocabulary from the voice preset; built-in map for the language when absent. */
  directionMap?: DirectionMap;
  /** Language used to pick the built-in vocabulary when the front matter names none. */
  language?: string;
  /** Largest script accepted, in bytes (default 2 MiB). */
  maxBytes?: number;
  /** Where `[image ...]` and other media may come from; default: the script file's folder only. */
  media?: MediaPlaces;
}

/** Reads and parses a script file; every failure (missing, too big, binary…) is a diagnostic. */
export async function parseScriptFile(path: string, options: ParseOptions = {}): Promise<ParseResult> {
  const source = await readScriptSource(path, options.maxBytes ?? SCRIPT_LIMITS.maxBytes);
  if (!source.ok) {
    log.debug('script rejected before parsing', { path, message: source.diagnostic.message });
    return { ok: false, diagnostics: [source.diagnostic], media: [] };
  }
  const result = parseScriptText(source.text, path, options);
  log.debug('script parsed', {
    path,
    ok: result.ok,
    scenes: result.ok ? result.document.scenes.length : undefined,
    problems: result.ok ? result.document.warnings.length : result.diagnostics.length,
  });
  return result;
}

/** Parses script text; `file` names the script in diagnostics and (by default) anchors its media. */
export function parseScriptText(text: string, file: string, options: ParseOptions = {}): ParseResult {
  const checked = checkScriptText(text, file, options.maxBytes ?? SCRIPT_LIMITS.maxBytes);
  if (!checked.ok) return { ok: false, diagnostics: [checked.diagnostic], media: [] };
  const lines = checked.text.split(/\r\n|\r|\n/);
  const diagnostics = new DiagnosticCollector(file);
  const { meta, bodyStart, positions } = parseFrontMatter(lines, diagnostics);
  const vocabulary = compileDirectionMap(
    options.directionMap ?? defaultDirectionMap(meta.language ?? options.language),
  );
  const introTitle = meta.title ?? basename(file, extname(file));
  const builder = new SceneBuilder(
    diagnostics,
    vocabulary,
    options.media ?? scriptFolderOnly(file),
    introTitle,
  );
  const music = frontMatterMusic(meta.music, positions.music, builder);
  const thumbnail =
    meta.thumbnail !== undefined && positions.thumbnail
      ? builder.resolveMedia('image', meta.thumbnail, positions.thumbnail.line, positions.thumbnail.col)
      : undefined;
  parseBody(lines, bodyStart, builder, diagnostics);
  const scenes = builder.finish();
  if (!diagnostics.hasErrors && !scenes.some((s) => s.items.some((item) => item.kind === 'speech'))) {
    diagnostics.error(1, 1, 'script has no spoken text');
  }
  if (diagnostics.hasErrors) return { ok: false, diagnostics: diagnostics.list(), media: builder.media };
  const document: ScriptDocument = {
    file,
    meta,
    ...(music ? { music } : {}),
    ...(thumbnail ? { thumbnail } : {}),
    scenes,
    warnings: diagnostics.list(),
    media: builder.media,
  };
  return { ok: true, document };
}

/** `music: PATH` (checked like any media path, at its place) or `music: off`. */
function frontMatterMusic(
  written: string | undefined,
  at: { line: number; col: number } | undefined,
  builder: SceneBuilder,
): MusicCue | undefined {
  if (written === undefined || at === undefined) return undefined;
  if (written.toLowerCase() === 'off') return { kind: 'off', ...at };
  const media = builder.resolveMedia('music', written, at.line, at.col);
  return media ? { kind: 'file', media } : undefined;
}

function parseBody(
  lines: string[],
  bodyStart: number,
  builder: SceneBuilder,
  diagnostics: DiagnosticCollector,
): void {
  const comments: CommentState = {};
  let previousQuoted = false;
  for (let i = bodyStart; i < lines.length && !builder.stopped; i++) {
    const lineNumber = i + 1;
    const raw = lines[i] as string;
    if (raw.length > SCRIPT_LIMITS.maxLineLength) {
      diagnostics.error(
        lineNumber,
        1,
        `line is ${raw.length} characters long; the limit is ${SCRIPT_LIMITS.maxLineLength}`,
      );
      builder.endParagraph();
      continue;
    }
    const block = classifyLine(raw, removeComments(raw, lineNumber, comments));
    const problems: InlineProblem[] = [];
    if (block.kind === 'blank' || block.kind === 'rule') builder.endParagraph();
    else if (block.kind === 'heading' && block.level > 3) {
      // Deep headings are writer's notes inside a scene; only #, ## and ### split scenes.
      diagnostics.warning(lineNumber, 1, `level-${block.level} heading is not spoken and starts no scene`);
      builder.endParagraph();
    } else if (block.kind === 'heading') {
      const tokens = scanInline(block.content, problems);
      const title = tokens
        .map((t) => (t.kind === 'text' ? t.text.text : ''))
        .join('')
        .replace(/\s+/g, ' ')
        .trim();
      if (title === '') diagnostics.warning(lineNumber, 1, 'empty heading');
      builder.startScene(title || `Scene ${builder.scenes.length + 1}`, lineNumber);
      for (const token of tokens) {
        if (token.kind === 'direction') builder.applyDirection(token.content, lineNumber, token.col);
      }
    } else if (block.kind === 'text') {
      if (block.startsBlock || block.quoted !== previousQuoted) builder.endParagraph();
      previousQuoted = block.quoted;
      for (const token of scanInline(block.content, problems)) {
        if (token.kind === 'text') builder.addText(token.text, lineNumber);
        else builder.applyDirection(token.content, lineNumber, token.col);
      }
    }
    for (const problem of problems) {
      if (problem.severity === 'error') diagnostics.error(lineNumber, problem.col, problem.message);
      else diagnostics.warning(lineNumber, problem.col, problem.message);
    }
  }
  if (comments.openedAt) {
    diagnostics.error(
      comments.openedAt.line,
      comments.openedAt.col,
      'unterminated HTML comment: "<!--" has no "-->"',
    );
  }
}
