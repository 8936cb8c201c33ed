/**
 * What the check learned of each medium, kept in the data folder by the file's identity (device,
 * inode, size, modification and change times) and the ffmpeg that looked: a script of 2,000 pictures
 * took 767 s to check, and as long again on every check and render of it. A file written since has
 * another identity and is looked at again; an entry that does not read is no entry.
 */
import type { FileHandle } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { mediaFactsSchema } from '../ffmpeg/media-facts.ts';
import { writeFileAtomically } from '../util/atomic-file.ts';
import { jsonOrNull } from '../util/json-or-null.ts';

/** What looking at a medium gave: its facts, none (unreadable), or why it is refused unopened. */
export const probedSchema = z.union([mediaFactsSchema, z.null(), z.strictObject({ refused: z.string() })]);
export type Probed = z.infer<typeof probedSchema>;

/** Enough for the largest scripts (2,000 scenes), and a file of a few MB at most. */
const MAX_ENTRIES = 5000;
const VERSION = 1;
const fileSchema = z.object({ version: z.literal(VERSION), entries: z.record(z.string(), z.unknown()) });

export class ProbeCache {
  private readonly path: string;
  private readonly entries: Map<string, unknown>;
  private changed = false;

  private constructor(path: string, entries: Map<string, unknown>) {
    this.path = path;
    this.entries = entries;
  }

  static async open(dataDir: string): Promise<ProbeCache> {
    const path = join(dataDir, 'cache', 'media-probes.json');
    const text = await readFile(path, 'utf8').catch(() => null);
    const file = text === null ? null : fileSchema.safeParse(jsonOrNull(text));
    return new ProbeCache(path, new Map(file?.success ? Object.entries(file.data.entries) : []));
  }

  /** The key of the medium open at `handle`, used as `use`, looked at by the ffmpeg at `tool`. */
  static async keyOf(handle: FileHandle, use: string, tool: string): Promise<string> {
    const s = await handle.stat({ bigint: true });
    return JSON.stringify([use, tool, `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`]);
  }

  get(key: string): Probed | undefined {
    const checked = probedSchema.safeParse(this.entries.get(key));
    return this.entries.has(key) && checked.success ? checked.data : undefined;
  }

  set(key: string, probed: Probed): void {
    this.entries.delete(key);
    this.entries.set(key, probed);
    // The oldest written go first.
    for (const old of this.entries.keys()) {
      if (this.entries.size <= MAX_ENTRIES) break;
      this.entries.delete(old);
    }
    this.changed = true;
  }

  /** Written whole or not at all; another process's entries written meanwhile may be lost (a cache). */
  async save(): Promise<void> {
    if (!this.changed) return;
    await writeFileAtomically(
      this.path,
      JSON.stringify({ version: VERSION, entries: Object.fromEntries(this.entries) }),
    );
    this.changed = false;
  }
}
