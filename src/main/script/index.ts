/** Public API of the script module: parse + validate scripts, direction vocabularies, SSML. */
export { DEFAULT_DIRECTION_MAPS, defaultDirectionMap } from './default-directions.ts';
export { formatDiagnostic } from './diagnostics.ts';
export { validateDirectionMap } from './direction-map-schema.ts';
export { SCRIPT_EXTENSIONS, SCRIPT_LIMITS } from './limits.ts';
export {
  IMAGE_MEDIA,
  type MediaKind,
  type MediaPlaces,
  mediaNotFound,
  openCheckedMedia,
  resolveMediaPath,
} from './media-path.ts';
export { type ParseOptions, parseScriptFile, parseScriptText } from './parser.ts';
export { readScriptMeta } from './script-meta.ts';
export { buildDocumentSsml, buildSsml, escapeXml, type SsmlInput, type SsmlVoice } from './ssml.ts';
export type * from './types.ts';
