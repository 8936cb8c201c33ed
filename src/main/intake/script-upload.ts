import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ScriptCheck, ScriptUpload } from '../../shared/contract.ts';
import { sha256Hex } from '../util/hash.ts';
import { type IntakeContext, prepareScript } from './prepare-script.ts';

/**
 * An uploaded script is stored under the data folder (never at a path from the network) and checked.
 * Its folder is its own, `imports/<text hash>`, which only ever holds uploaded script texts: relative
 * media paths find nothing there, and the data folder around it is never a place media come from
 * (see jobMediaPlaces), so an upload's media can only come from the media roots.
 */
export async function storeUpload(dataDir: string, upload: ScriptUpload): Promise<string> {
  const name = basename(upload.name).replace(/[^\w.\- ]/g, '_');
  if (!/\.(md|markdown|txt)$/i.test(name)) throw new Error(`"${upload.name}" is not a .md or .txt script`);
  const dir = join(dataDir, 'imports', sha256Hex(upload.text).slice(0, 16));
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await writeFile(path, upload.text);
  return path;
}

export async function checkUpload(
  ctx: IntakeContext,
  upload: ScriptUpload,
  choices: { recipe?: string | undefined; videoPreset?: string | undefined } = {},
) {
  const path = await storeUpload(ctx.dataDir, upload);
  const prepared = await prepareScript(ctx, path, { ...choices, out: join(ctx.dataDir, 'videos') });
  const check: ScriptCheck = prepared.ok
    ? {
        name: upload.name,
        ok: true,
        diagnostics: prepared.document.warnings.map((d) => ({ ...d, file: upload.name })),
        title: prepared.document.meta.title ?? null,
        scenes: prepared.document.scenes.map((s) => ({
          title: s.title,
          sentences: s.items.filter((i) => i.kind === 'speech').length,
        })),
        estimatedSeconds: Math.round(prepared.estimatedMs / 1000),
      }
    : {
        name: upload.name,
        ok: false,
        diagnostics: prepared.diagnostics.map((d) => ({ ...d, file: upload.name })),
        title: null,
        scenes: [],
        estimatedSeconds: Math.round((prepared.estimatedMs ?? 0) / 1000),
      };
  return { check, prepared };
}
