/**
 * Picks the offline voice of the machine: macOS say on a Mac, espeak-ng everywhere else.
 * Synchronous on purpose: callers read `id` straight away, and a file check is enough to know
 * whether say is installed (it ships with every macOS in /usr/bin).
 */
import { createLogger } from '../log/logger.ts';
import { createEspeakSynthesizer, type EspeakOptions } from './espeak.ts';
import { isExecutableFile, resolveExecutable } from './process.ts';
import { createSaySynthesizer, type SayOptions } from './say.ts';
import type { SpeechSynthesizer } from './types.ts';

export interface OfflineSynthesizerOptions {
  say?: SayOptions;
  espeak?: EspeakOptions;
}

const log = createLogger('OfflineSynthesizer');

export function createOfflineSynthesizer(
  platform: NodeJS.Platform = process.platform,
  options: OfflineSynthesizerOptions = {},
): SpeechSynthesizer {
  if (platform === 'darwin') {
    const sayBinary = options.say?.binary ?? resolveExecutable('say', ['/usr/bin']);
    if (isExecutableFile(sayBinary)) return createSaySynthesizer({ ...options.say, binary: sayBinary });
    log.warn('macOS say was not found; falling back to espeak-ng', { looked: sayBinary });
  }
  return createEspeakSynthesizer(options.espeak);
}
