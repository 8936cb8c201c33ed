/**
 * The `vfo-media:` scheme: registered as privileged before the app is ready (so <video> can stream
 * and seek), served after it with the engine's lookup. The handling itself is desktop/media-protocol.ts.
 */
import { protocol } from 'electron';
import { MEDIA_SCHEME, serveJobMedia, type VideoLookup } from '../desktop/media-protocol.ts';

/** Must run before `ready`. */
export function registerMediaScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: MEDIA_SCHEME,
      privileges: { standard: true, secure: true, stream: true, supportFetchAPI: true },
    },
  ]);
}

export function serveMedia(lookups: { video: VideoLookup; thumbnail: VideoLookup }): void {
  protocol.handle(MEDIA_SCHEME, (request) => serveJobMedia(request, lookups));
}
