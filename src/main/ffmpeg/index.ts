/** Public surface of the ffmpeg module. encode-runner.ts is a process entry and is not exported. */
export { type CaptionBox, captionBoxArgs } from './caption-overlay.ts';
export {
  type ClipFacts,
  clipFactsOf,
  cutClipRange,
  hasVideoFrame,
  pictureSizeOf,
  probeClip,
  probeMediaFacts,
  probePicture,
} from './clip-media.ts';
export {
  buildEncodeCommand,
  captionDrawing,
  type EncodeCommand,
  type EncodeCommandInput,
  outputPixelFormat,
  type PictureRenderer,
  type SideFile,
  videoEncoderArgs,
} from './command.ts';
export {
  type ChildEncodeOptions,
  ENCODE_RUNNER_PATH,
  encodeInChildProcess,
  forkRunner,
  measureCaptionBox,
  measureVideoCaptionBox,
  type RunnerChannel,
  relayEncode,
  runEncode,
  writeSideFiles,
} from './encode-client.ts';
export type {
  EncodeOptions,
  EncodeRequest,
  EncodeResult,
  RunnerInbound,
  RunnerOutbound,
} from './encode-types.ts';
export { CaptionBoxSchema, parseEncodeRequest } from './encode-types.ts';
export { type EncoderFallback, encodeWithFallback, isHardwareEncoder } from './encoder-fallback.ts';
export { type EncoderTrial, trialEncoders } from './encoder-trial.ts';
export {
  FFMPEG_ERROR_KINDS,
  FfmpegError,
  type FfmpegErrorKind,
  isFfmpegError,
  isFfmpegErrorKind,
  toFfmpegError,
} from './errors.ts';
export { filterPath } from './filters.ts';
export {
  buildAudioTrackCommand,
  buildJoinCommand,
  encodeAudioTrack,
  type JoinRequest,
  type JoinResult,
  joinSegments,
} from './join.ts';
export { type FfmpegLocation, type FfmpegSource, type LocateOptions, locateFfmpeg } from './locate.ts';
export {
  type LoudnessFacts,
  measureFileLoudness,
  measureMixLoudness,
  mixesToStereo,
  parseEbur128Summary,
  planLoudness,
  SILENCE_LUFS,
} from './loudness.ts';
export type { AudioStreamFacts, MediaFacts, VideoStreamFacts } from './media-facts.ts';
export type { Size } from './motion-geometry.ts';
export { BUNDLED_BED_NAMES, BUNDLED_BEDS, type BundledBed, bundledBedFile } from './music-beds.ts';
export { linkPlanAssets } from './plan-assets.ts';
export { type FfmpegProbe, probeFfmpeg, selectEncoder, usableEncoders } from './probe.ts';
export type { FfmpegProgress } from './progress.ts';
export { type RunFfmpegOptions, runFfmpeg } from './run.ts';
export {
  detectParentPort,
  type ElectronParentPortLike,
  type RunnerPort,
} from './runner-port.ts';
export { type RunnerService, serveEncodes } from './runner-service.ts';
export { maxStillPixels, scenesPerEncode } from './scene-budget.ts';
export { type StillFit, stillFit, writeFittedStill } from './still-fit.ts';
export { buildThumbnailCommand, makeThumbnail, THUMBNAIL_SIZE } from './thumbnail.ts';
export {
  countVideoFrames,
  findProblems,
  planExpectation,
  readVideoFacts,
  type VideoExpectation,
  type VideoFacts,
  verifyVideo,
} from './verify.ts';
