/**
 * The assets a plan is being made of: each by id with its checksum, the files the step hands to the
 * blob store, and where each one is on this Mac right now (for the measurements made before the plan
 * is final).
 */
import { copyFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { AssetRef } from '../../shared/render-plan.ts';
import type { ProducedFile, StepOutput } from '../engine/step-handler.ts';
import { sha256File } from '../util/hash.ts';

export class PlanAssetList {
  readonly assets: Record<string, AssetRef> = {};
  readonly files: Record<string, ProducedFile> = {};
  /** Where each asset is now, by id. */
  readonly paths: Record<string, string> = {};
  private readonly workDir: string;

  constructor(workDir: string) {
    this.workDir = workDir;
  }

  /** A path in the step's folder for asset `id`, keeping the source's extension (ffmpeg and fonts read it). */
  workPath(id: string, source: string): string {
    return join(this.workDir, `${id}${extname(source).toLowerCase()}`);
  }

  /** A file made or copied into the step's folder becomes asset `id`. */
  async record(id: string, path: string, kind: AssetRef['kind'], name: string): Promise<void> {
    const { sha256, size } = await sha256File(path);
    this.assets[id] = { sha256, size, kind, name: safeName(name) };
    this.files[id] = { path, type: kind };
    this.paths[id] = path;
  }

  /** A file of the app (a bundled visual, the font, a bundled music bed), copied in. */
  async addExternal(id: string, path: string, kind: AssetRef['kind']): Promise<void> {
    const copy = this.workPath(id, path);
    await copyFile(path, copy);
    await this.record(id, copy, kind, basename(path));
  }

  /** A file another step made: already in the blob store. */
  addInput(id: string, ref: StepOutput['files'][string], kind: AssetRef['kind'], name: string): void {
    this.assets[id] = { sha256: ref.sha256, size: ref.size, kind, name };
    this.paths[id] = ref.path;
  }
}

export function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_').slice(-200) || 'asset';
}
