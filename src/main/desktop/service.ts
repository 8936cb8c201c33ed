/**
 * What the desktop shell needs from the node it embeds, and the one place an IPC call is checked and
 * dispatched. Electron-free: the shell (src/main/electron) passes Electron's objects in; tests pass fakes.
 */
import type { CallResult, Method, VfoEvent } from '../../shared/contract.ts';
import type { VfoService } from '../api/dispatch.ts';
import type { RunnerChannel } from '../ffmpeg/index.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import type { StoredLocally } from './local-media.ts';
import type { TrayState } from './tray-model.ts';

export type { VfoService };

/** The node runtime the app embeds (engine + farm node), built by `createRuntime`. */
export interface DesktopRuntime {
  readonly service: VfoService;
  /** Every engine and farm event, as the renderer receives it. */
  subscribe(listener: (event: VfoEvent) => void): () => void;
  /** Cheap and synchronous: read again after events to redraw the menu-bar item. */
  trayState(): TrayState;
  /**
   * The finished video of a job this node knows, or null (unknown job, not done, no output).
   * Only paths returned here are ever served to the window.
   */
  videoPathOf(jobId: string): Promise<string | null>;
  /** The finished job's thumbnail (in the blob store), or null. */
  thumbnailPathOf(jobId: string): Promise<string | null>;
  /** A media file of this Mac into the node's store, when its bytes are that sha256 (local-media.ts). */
  storeMediaFile(path: string, sha256: string): Promise<StoredLocally>;
  /** Stop taking work, cancel what runs (it resumes on the next start), close the database. */
  close(): Promise<void>;
}

/** What the shell hands to `createRuntime`. */
export interface DesktopRuntimeOptions {
  /** Electron's userData: the same folder the CLI uses by default. */
  dataDir: string;
  /** process.resourcesPath when packaged (migrations, visuals, fonts, bin), ./resources in a checkout. */
  resourcesDir: string;
  /** Provider keys, encrypted with safeStorage (the Keychain); environment variables as a fallback. */
  secrets: SecretStore;
  /** The bundled encode runner (out/main/encode-runner.js): PipelineServices.encodeRunnerPath. */
  encodeRunnerPath: string;
  /** Starts that runner in an Electron utility process: PipelineServices.startEncodeRunner. */
  startEncodeRunner: (runnerPath: string) => RunnerChannel;
  /** `--worker` or the tray setting: this Mac encodes for the farm and never coordinates. */
  workerOnly: boolean;
}

export type CreateDesktopRuntime = (options: DesktopRuntimeOptions) => Promise<DesktopRuntime>;

/** One call from the window, through the contract's dispatcher (which never rejects). */
export function dispatchCall(
  service: VfoService,
  method: unknown,
  args: unknown,
): Promise<CallResult<Method>> {
  return service.dispatch(method, args, 'ipc');
}
