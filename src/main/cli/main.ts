import { printable } from '../../shared/text.ts';
import { DAMAGED_HINT, isDamaged } from '../db/sqlite-errors.ts';
import { createLogger } from '../log/logger.ts';
import { type CliIo, EXIT, printableLines, processIo, UsageError } from './io.ts';

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
exit codes: 0 done, 1 failure, 2 invalid input or usage, 128+N stopped by signal N (130 Ctrl-C).`;

type Command = (argv: string[], io: CliIo) => Promise<number>;

/** Each command's module loads when it runs: `vfo render` never loads the farm's HTTP and queue code. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  render: async () => (await import('./render.ts')).renderCommand,
  check: async () => (await import('./check.ts')).checkCommand,
  doctor: async () => (await import('./doctor.ts')).doctorCommand,
  jobs: async () => (await import('./jobs.ts')).jobsCommand,
  gc: async () => (await import('./gc.ts')).gcCommand,
  node: async () => (await import('./node.ts')).nodeCommand,
  submit: async () => (await import('./farm-client.ts')).submitCommand,
  status: async () => (await import('./farm-client.ts')).statusCommand,
  farm: async () => (await import('./farm-control.ts')).farmCommand,
};

/** Runs one command and returns its exit code; expected failures print one clear line, never a stack. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name) {
    io.err(USAGE);
    return EXIT.invalid;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(USAGE);
    return EXIT.ok;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.err(`vfo: unknown command "${printable(name)}"\n\n${USAGE}`);
    return EXIT.invalid;
  }
  try {
    const command = await load();
    return await command(rest, io);
  } catch (error) {
    // An error may quote another machine (a node's reason, a name): never its control characters.
    // A usage message keeps its lines (it ends with the command's usage); each line is made printable.
    if (error instanceof UsageError) {
      io.err(`vfo: ${printableLines(error.message)}`);
      return EXIT.invalid;
    }
    log.debug('command failed', { stack: (error as Error).stack });
    const message = printableLines((error as Error).message ?? String(error));
    io.err(`vfo: error: ${message}${isDamaged(error) ? ` (${DAMAGED_HINT})` : ''}`);
    return EXIT.failure;
  }
}
