/**
 * Encodes in Electron utility processes: the same encode-runner module the CLI forks with Node, started
 * with utilityProcess.fork (no ELECTRON_RUN_AS_NODE, which the packaged app's fuses switch off). Each
 * encode gets its own process; the activity count keeps the Mac awake while any runs.
 */
import { utilityProcess } from 'electron';
import { type EncodeActivity, runnerChannelFromUtilityProcess } from '../desktop/utility-runner-channel.ts';
import type { RunnerChannel } from '../ffmpeg/index.ts';
import { envWithoutSecrets } from '../secrets/secret-store.ts';

export interface UtilityRunnerOptions {
  activity: EncodeActivity;
  /** The runner's stderr (its log lines), e.g. to the app's log file. */
  onStderr?: (chunk: string) => void;
}

export function utilityRunnerStarter(options: UtilityRunnerOptions): (runnerPath: string) => RunnerChannel {
  return (runnerPath) => {
    const child = utilityProcess.fork(runnerPath, [], {
      serviceName: 'Video Factory Encoder',
      stdio: ['ignore', 'ignore', 'pipe'],
      env: envWithoutSecrets(),
    });
    const ended = options.activity.begin();
    child.once('exit', ended);
    return runnerChannelFromUtilityProcess(
      {
        pid: () => child.pid,
        postMessage: (message) => child.postMessage(message),
        onSpawn: (listener) => {
          child.once('spawn', listener);
        },
        onMessage: (listener) => {
          child.on('message', listener);
        },
        onExit: (listener) => {
          child.once('exit', listener);
        },
        kill: () => {
          child.kill();
        },
        stderr: child.stderr,
      },
      options.onStderr ? { onStderr: options.onStderr } : {},
    );
  };
}
