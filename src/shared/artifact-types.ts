/**
 * Artifact types more than one layer names: the step that makes the file, the engine that delivers
 * it and the API that serves it agree on these.
 */

/** A video's thumbnail: delivered next to the video as `<name>.jpg`, shown in the job list. */
export const THUMBNAIL_FILE_TYPE = 'thumbnail';
