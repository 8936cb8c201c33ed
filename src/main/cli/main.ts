import { createLogger } from '../log/logger.ts';
import { checkCommand } from './check.ts';
import { doctorCommand } from './doctor.ts';
import { statusCommand, submitCommand } from './farm-client.ts';
import { farmCommand } from './farm-control.ts';
import { gcCommand } from './gc.ts';
import { type CliIo, EXIT, processIo, UsageError } from './io.ts';
import { jobsCommand } from './jobs.ts';
import { nodeCommand } from './node.ts';
import { renderCommand } from './render.ts';

const log = createLogger('Cli');

export const USAGE = `vfo — Video Factory, headless

usage: vfo <command> [options]

commands:
  render <scripts...>   turn scripts into narrated videos (prints each video's path)
  check <script>        report every problem as file:line:col (--ssml prints the SSML)
  doctor                ffmpeg, encoders, voices, keys and data folder of this machine
  jobs                  list, show, retry or cancel jobs
  gc                    free the disk failed and cancelled jobs hold (--dry-run, --budget SIZE)
  node                  join the render farm (headless) and serve the UI
  submit <scripts...>   send scripts to a farm node to render (--wait for the videos)
  status                the farm as a node sees it
  farm                  pause, resume or drain a node; requeue or cancel a task

common options: --data DIR (or VFO_DATA_DIR) picks the data folder, --json prints JSON.
exit codes: 0 done, 1 failure, 2 invalid input or usage.`;

const COMMANDS: Record<string, (argv: string[], io: CliIo) => Promise<number>> = {
  render: renderCommand,
  check: checkCommand,
  doctor: doctorCommand,
  jobs: jobsCommand,
  gc: gcCommand,
  node: nodeCommand,
  submit: submitCommand,
  status: statusCommand,
  farm: farmCommand,
};

/** Runs one command and returns its exit code; expected failures print one clear line, never a stack. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(USAGE);
    return name ? EXIT.ok : EXIT.invalid;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`vfo: unknown command "${name}"\n\n${USAGE}`);
    return EXIT.invalid;
  }
  try {
    return await command(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`vfo: ${error.message}`);
      return EXIT.invalid;
    }
    log.debug('command failed', { stack: (error as Error).stack });
    io.err(`vfo: error: ${(error as Error).message ?? String(error)}`);
    return EXIT.failure;
  }
}
