import { videoUrlOf } from '../../stores/call-api.ts';

/** The finished video, streamed by the node (HTTP Range) or by the app's own protocol. */
export function JobVideo({ jobId, version }: { jobId: string; version: string }) {
  const src = videoUrlOf(jobId);
  if (!src) return null;
  return (
    <section aria-labelledby="video-heading">
      <h2 id="video-heading">Video</h2>
      {/* Captions are burned into the picture, so there is no separate track to offer. */}
      {/* biome-ignore lint/a11y/useMediaCaption: captions are part of the video frames */}
      <video key={version} controls preload="metadata" src={src} data-testid="job-video" />
    </section>
  );
}
