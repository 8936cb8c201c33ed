import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { RenderPlan } from '../../shared/render-plan.ts';

/**
 * Blobs are named by checksum; ffmpeg wants real extensions and libass a folder holding only fonts.
 * Symlinks give both without copying a byte.
 */
export async function linkPlanAssets(
  plan: RenderPlan,
  blobPath: (sha256: string) => string,
  workDir: string,
  only?: ReadonlySet<string>,
): Promise<{ assetPaths: Record<string, string>; fontsDir: string }> {
  const assetDir = join(workDir, 'assets');
  const fontsDir = join(workDir, 'fonts');
  await mkdir(assetDir, { recursive: true });
  await mkdir(fontsDir, { recursive: true });
  const assetPaths: Record<string, string> = {};
  for (const [id, ref] of Object.entries(plan.assets)) {
    if (only && !only.has(id)) continue;
    const link = ref.kind === 'font' ? join(fontsDir, ref.name) : join(assetDir, `${id}-${ref.name}`);
    await symlink(blobPath(ref.sha256), link);
    assetPaths[id] = link;
  }
  return { assetPaths, fontsDir };
}
