/**
 * How far a dropped folder is walked, by the app (desktop/folder-walk.ts) and by the page
 * (renderer lib/script-files.ts) alike: a home folder dropped by mistake must not make either read for
 * minutes, so the walk stops after so many entries read of any kind (folders and hidden ones too), not
 * only after so many files kept, and goes so many folders deep.
 */
export const FOLDER_LIMITS = { maxFiles: 500, maxDepth: 8, maxEntries: 20_000 } as const;
