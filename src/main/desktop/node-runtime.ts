/**
 * The runtime the desktop app embeds: the same farm node `vfo node` runs (engine, queue, worker, HTTP
 * API and UI for the LAN), wired the app's way — keys from the Keychain-backed store, encodes in an
 * Electron utility process, the farm key kept in the app's data folder.
 */
import { existsSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { VfoEvent } from '../../shared/contract.ts';
import { thumbnailPathOf } from '../api/job-thumbnail.ts';
import { openApp } from '../app/open-app.ts';
import { generateFarmKey, readFarmKey } from '../farm/net/index.ts';
import { FarmNode } from '../farm/node/farm-node.ts';
import { defaultNodeName } from '../farm/node/node-name.ts';
import { ensurePrivateDir } from '../util/private-dir.ts';
import { storeLocalMedia } from './local-media.ts';
import type { CreateDesktopRuntime } from './service.ts';
import { trayQueued, trayRoleOf, trayTasksOf } from './tray-model.ts';

/** The farm's usual port, so a browser can reach any Mac at http://name.local:4870. */
export const DEFAULT_NODE_PORT = 4870;

/** This Mac's farm key: made on first start (a farm of one); replaced with the studio's key to join. */
export async function loadOrCreateFarmKey(dataDir: string) {
  const path = join(dataDir, 'farm-key');
  if (!existsSync(path)) {
    await writeFile(path, `${generateFarmKey()}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(path, 0o600);
  }
  // A key others may read is refused with the fix in the message (key.ts).
  return readFarmKey(path);
}

export const createNodeRuntime: CreateDesktopRuntime = async (options) => {
  process.env.VFO_RESOURCES_DIR ??= options.resourcesDir;
  ensurePrivateDir(options.dataDir);
  const app = await openApp({
    data: options.dataDir,
    secrets: options.secrets,
    encodeRunnerPath: options.encodeRunnerPath,
    startEncodeRunner: options.startEncodeRunner,
    farm: {
      key: await loadOrCreateFarmKey(options.dataDir),
      name: defaultNodeName(),
      host: '0.0.0.0',
      port: DEFAULT_NODE_PORT,
      // Another app (or a second copy on a shared Mac) holds the port: any free port still works.
      anyPortIfTaken: true,
      role: options.workerOnly ? 'worker' : 'auto',
      // Slots: the render.localParts setting (one per core this Mac gives to renders).
    },
  });
  await app.start();
  const node = app.node as NonNullable<typeof app.node>;
  const listeners = new Set<(event: VfoEvent) => void>();
  const forward = (event: VfoEvent) => {
    for (const listener of listeners) listener(event);
  };
  const offEngine = app.engine.subscribe((event) => forward(event as VfoEvent));
  const offFarm = app.subscribeFarm?.(forward) ?? (() => undefined);
  return {
    service: app.service as NonNullable<typeof app.service>,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    trayState() {
      const lan = node instanceof FarmNode ? node : null;
      const role = trayRoleOf(lan ? lan.member.election() : null, Boolean(options.workerOnly));
      const queued = trayQueued({
        farmQueued: lan?.coordinator?.active ? lan.coordinator.queue.stats().queued : null,
        ownUnfinished: lan ? lan.origin.unfinishedCount() : 0,
      });
      return {
        role,
        running: trayTasksOf(node.worker.leases()),
        queued,
        paused: node.worker.paused,
        workerOnly: options.workerOnly,
      };
    },
    async videoPathOf(jobId) {
      const job = app.engine.store.getJob(jobId);
      return job?.status === 'done' && job.outputPath ? job.outputPath : null;
    },
    thumbnailPathOf: async (jobId) => thumbnailPathOf(app.engine.store, jobId),
    storeMediaFile: (path, sha256) => storeLocalMedia(app.blobs, app.dataDir, path, sha256),
    async close() {
      offEngine();
      offFarm();
      await app.close();
    },
  };
};
