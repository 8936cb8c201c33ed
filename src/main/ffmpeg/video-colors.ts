/**
 * The video's colours, given to each scaler that turns a picture into the video's YUV: BT.709 at
 * limited range, what HD players assume and what the encoder tags (VIDEO_COLOR_TAGS). swscale's own
 * default is BT.601, which players showed shifted (pure red came out as 255,23,0). A picture's own
 * matrix (a JPEG's BT.601) is read from its frames.
 *
 * A clip's YUV is not converted: the scaler would read an untagged clip as BT.601, and players show an
 * untagged HD clip as BT.709, so its colours moved (a review measured 220,156,27 shown as 211,156,33).
 * Passed as it is, a BT.709 clip, tagged or not, shows as it does on its own; only an SD clip tagged
 * BT.601 comes out a shade off, as it did before videos were tagged.
 *
 * Captions are not converted here. libass draws them straight onto the video when a caption changes
 * every few frames (the subtitles filter), and that filter in ffmpeg before 6 (Debian 12 has 5.1)
 * always converts with BT.601. The states drawn once must show the same pixels, so they keep
 * overlay's own conversion, also BT.601 in 5.1. White, black and greys come out exact. The default
 * highlight, #FFD400, shows as 255,202,0.
 */
export const VIDEO_COLORS = 'out_color_matrix=bt709:out_range=tv';

/** What the encoder writes in the stream about its colours (the matrix VIDEO_COLORS converts to). */
export const VIDEO_COLOR_TAGS = [
  '-colorspace',
  'bt709',
  '-color_primaries',
  'bt709',
  '-color_trc',
  'bt709',
  '-color_range',
  'tv',
];
