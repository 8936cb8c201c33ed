import { dirname } from 'node:path';
import type { JobSettings } from '../engine/job-settings.ts';
import type { MediaPlaces } from '../script/index.ts';

/**
 * Where a job's script may take media from: its own folder (none for a script Claude wrote), the media
 * roots frozen into the job, never the data folder. The check (`vfo check`, an upload) and the steps
 * that read the files use this one answer.
 */
export function jobMediaPlaces(settings: JobSettings, dataDir: string): MediaPlaces {
  return {
    scriptDir: settings.input.kind === 'script' ? dirname(settings.input.scriptPath) : null,
    roots: settings.media?.roots ?? [],
    protectedDirs: [dataDir],
  };
}
