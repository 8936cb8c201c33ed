/**
 * The encoders a farm routes work by: what a node may offer (once a trial encode proved them), and in
 * Redis mode the queues tasks wait in, one per encoder.
 */
export const FARM_ENCODERS = ['h264_videotoolbox', 'hevc_videotoolbox', 'libx264', 'libx265'] as const;

export function isFarmEncoder(encoder: string): boolean {
  return (FARM_ENCODERS as readonly string[]).includes(encoder);
}
