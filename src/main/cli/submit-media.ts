/**
 * The media of scripts sent with `vfo submit`. The node says what each script names (its voice
 * presets' words decide what is a direction, not this machine's); each file is then found in the
 * script's own folder under the rules `vfo render` follows (inside it, symlinks resolved, read only
 * after checking again), hashed, and the node asked which it lacks: only those are sent, each once
 * however many scripts name it. A file that is not there stops everything before anything is sent.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { z } from 'zod';
import {
  type Diagnostic,
  type MediaManifest,
  type MediaUse,
  type ScriptCheck,
  ScriptCheckSchema,
  Sha256Schema,
} from '../../shared/contract.ts';
import { printable } from '../../shared/text.ts';
import type { FarmClient, Peer } from '../farm/net/index.ts';
import {
  CLIP_MEDIA,
  IMAGE_MEDIA,
  type MediaKind,
  MUSIC_MEDIA,
  openCheckedMedia,
  relativeMediaPath,
  resolveMediaPath,
  scriptFolderOnly,
} from '../script/index.ts';
import { sha256Stream } from '../util/hash.ts';
import { UsageError } from './io.ts';

const KINDS: Record<MediaUse['kind'], MediaKind> = {
  image: IMAGE_MEDIA,
  clip: CLIP_MEDIA,
  music: MUSIC_MEDIA,
};

export interface Submission {
  script: string;
  body: { name: string; text: string; recipe?: string; videoPreset?: string; media: MediaManifest };
}

/** A local file to send, by sha256: where it is and how it was named (to check it again when read). */
interface LocalMedia {
  ref: { written: string; path: string };
  kind: MediaKind;
  script: string;
  size: number;
}

export type PreparedSubmissions =
  | { ok: true; submissions: Submission[]; files: Map<string, LocalMedia> }
  | { ok: false; diagnostics: Diagnostic[] };

const SCRIPT_TYPES = ['.md', '.markdown', '.txt'];
/** The longest name before its extension a node takes for a submitted script. */
const MAX_SUBMITTED_STEM = 120;

/**
 * The name a script is sent under: a node takes a name of at most 120 characters before a script's
 * extension, without slashes; `back\slash.md` and a long name rendered here but were refused by the
 * node with an unlocated 400 (found by attacking file names). Not a script's extension: a usage error.
 */
export function submittedName(script: string): string {
  const name = basename(script);
  const extension = extname(name);
  if (!SCRIPT_TYPES.includes(extension.toLowerCase()))
    throw new UsageError(`${printable(script)}: a script is a ${SCRIPT_TYPES.join(', ')} file`);
  const stem = basename(name, extension)
    .replace(/[/\\\0]/g, '_')
    .slice(0, MAX_SUBMITTED_STEM);
  return `${stem === '' ? 'script' : stem}${extension}`;
}

export async function prepareSubmissions(
  client: FarmClient,
  node: Peer,
  scripts: readonly string[],
  choices: { recipe?: string; videoPreset?: string },
): Promise<PreparedSubmissions> {
  const diagnostics: Diagnostic[] = [];
  const submissions: Submission[] = [];
  const files = new Map<string, LocalMedia>();
  for (const script of scripts) {
    const name = submittedName(script);
    const text = await readFile(script, 'utf8');
    const check: ScriptCheck = await client.json(
      node,
      'POST',
      '/farm/v1/scripts/check',
      { name, text, ...choices, sending: 'any' },
      ScriptCheckSchema,
    );
    const located = (d: Omit<Diagnostic, 'file'>): Diagnostic => ({ ...d, file: script });
    diagnostics.push(...check.diagnostics.filter((d) => d.severity === 'error').map(located));
    const media: MediaManifest = {};
    const lines = text.split(/\r\n|\r|\n/);
    // A file named many times (or listed many times by a hostile node) is looked at and hashed once.
    const hashedPaths = new Set<string>();
    for (const use of check.media) {
      // The node's list is believed only where the script says so: a hostile node listed files the
      // script never names (private.png, Photos/…), and they were sent.
      if (!writtenAt(lines, use)) {
        const message = `the node says the script names "${printable(use.path)}" here, and it does not`;
        diagnostics.push(located({ line: use.line, col: use.col, severity: 'error', message }));
        continue;
      }
      const relative = relativeMediaPath(use.path);
      // An absolute path names a media root on the node: nothing to send.
      if (relative === null || hashedPaths.has(`${use.kind}:${use.path}`)) continue;
      hashedPaths.add(`${use.kind}:${use.path}`);
      const kind = KINDS[use.kind];
      const local = resolveMediaPath(use.path, scriptFolderOnly(script), kind);
      if (!local.ok) {
        diagnostics.push(
          located({ line: use.line, col: use.col, severity: 'error', message: local.message }),
        );
        continue;
      }
      const hashed = await hashChecked({ written: use.path, path: local.path }, script, kind);
      if (!hashed) {
        const message = `${kind.name} not found: ${use.path}`;
        diagnostics.push(located({ line: use.line, col: use.col, severity: 'error', message }));
        continue;
      }
      media[relative] = hashed;
      files.set(hashed.sha256, {
        ref: { written: use.path, path: local.path },
        kind,
        script,
        size: hashed.size,
      });
    }
    submissions.push({ script, body: { name, text, ...choices, media } });
  }
  if (diagnostics.length > 0) return { ok: false, diagnostics };
  return { ok: true, submissions, files };
}

/** Whether `use.path` is written, as a whole path, on its line from its column on. */
function writtenAt(lines: readonly string[], use: MediaUse): boolean {
  const line = lines[use.line - 1];
  if (line === undefined || use.path.length === 0) return false;
  for (
    let at = line.indexOf(use.path, Math.max(0, use.col - 1));
    at !== -1;
    at = line.indexOf(use.path, at + 1)
  ) {
    const before = line[at - 1];
    const after = line[at + use.path.length];
    const opens = before === undefined || /[\s[:"'(]/.test(before);
    const closes = after === undefined || /[\s\]"')]/.test(after);
    if (opens && closes) return true;
  }
  return false;
}

async function hashChecked(
  ref: { written: string; path: string },
  script: string,
  kind: MediaKind,
): Promise<{ sha256: string; size: number } | null> {
  const opened = await openCheckedMedia(ref, scriptFolderOnly(script), kind);
  if (!opened.ok) return null;
  try {
    return await sha256Stream(opened.handle.createReadStream({ autoClose: false }));
  } finally {
    await opened.handle.close();
  }
}

/** Sends the files the node lacks, each once; says how many were sent and how many it had. */
export async function sendWantedMedia(
  client: FarmClient,
  node: Peer,
  files: Map<string, LocalMedia>,
): Promise<{ sent: number; sentBytes: number; alreadyThere: number }> {
  if (files.size === 0) return { sent: 0, sentBytes: 0, alreadyThere: 0 };
  const offered = [...files.keys()];
  const { wanted } = await client.json(
    node,
    'POST',
    '/farm/v1/media/wanted',
    { sha256s: offered },
    // Only files offered, each once: a node that asked for one file 200 times had it sent 200 times.
    z.object({
      wanted: z
        .array(Sha256Schema.refine((sha256) => files.has(sha256), 'a file that was not offered'))
        .max(offered.length)
        .refine((list) => new Set(list).size === list.length, 'a file asked for twice'),
    }),
  );
  let sentBytes = 0;
  for (const sha256 of wanted) {
    const file = files.get(sha256);
    if (!file) continue;
    const opened = await openCheckedMedia(file.ref, scriptFolderOnly(file.script), file.kind);
    if (!opened.ok) throw new Error(`${file.script}: ${opened.message}`);
    try {
      // The node checks the bytes against this sha256 as they land: a file changed since is refused.
      await client.upload(node, `/farm/v1/media/${sha256}`, opened.handle, { sha256 });
    } finally {
      await opened.handle.close();
    }
    sentBytes += file.size;
  }
  return { sent: wanted.length, sentBytes, alreadyThere: files.size - wanted.length };
}
