/** Public API of the script module: parse + validate scripts, direction vocabularies, SSML. */
export { DEFAULT_DIRECTION_MAPS, defaultDirectionMap } from './default-directions.ts';
export { formatDiagnostic, shorten } from './diagnostics.ts';
export { validateDirectionMap } from './direction-map-schema.ts';
export { readScriptSource } from './input.ts';
export {
  CLIP_EXTENSIONS,
  IMAGE_EXTENSIONS,
  MUSIC_EXTENSIONS,
  SCRIPT_EXTENSIONS,
  SCRIPT_LIMITS,
} from './limits.ts';
export {
  CLIP_MEDIA,
  IMAGE_MEDIA,
  type MediaKind,
  type MediaPlaces,
  MUSIC_MEDIA,
  mediaNotFound,
  openCheckedMedia,
  pathForChildOf,
  relativeMediaPath,
  resolveMediaPath,
  scriptFolderOnly,
} from './media-path.ts';
export { type ParseOptions, parseScriptFile, parseScriptText } from './parser.ts';
export { readScriptFrontMatter, readScriptMeta } from './script-meta.ts';
export { buildDocumentSsml, buildSsml, escapeXml, type SsmlInput, type SsmlVoice } from './ssml.ts';
export type * from './types.ts';
