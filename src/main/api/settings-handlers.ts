import { accessSync, constants, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { FieldIssue, ProviderStatus, SettingsView } from '../../shared/contract.ts';
import type { Db } from '../db/open.ts';
import { isWritable, SECRET_NAMES, type SecretStore, secretEnvName } from '../secrets/secret-store.ts';
import { parseRenderHours } from '../../shared/render-hours.ts';
import {
  blocklistSetting,
  DEFAULT_BLOCK_LIMIT,
  defaultLocalParts,
  ffmpegPathSetting,
  localPartsSetting,
  renderHoursSetting,
  segmentsSetting,
  yieldToUserSetting,
} from '../settings/index.ts';
import { CallFailure } from './call-failure.ts';
import type { Handlers } from './dispatch.ts';

export type SettingsMethod =
  | 'settings.providers'
  | 'settings.get'
  | 'settings.setFfmpegPath'
  | 'settings.setMinSegmentSeconds'
  | 'settings.setRenderHours'
  | 'settings.setYieldToUser'
  | 'settings.setBlockLimit'
  | 'settings.setLocalParts'
  | 'settings.setSecret';

export interface SettingsDeps {
  db: Db;
  dataDir: string;
  /** Whether each provider has its keys: never the keys themselves. */
  providers(): ProviderStatus;
  /** Where keys live: writable in the app (Keychain), read-only (environment) for the CLI and nodes. */
  secrets: SecretStore;
}

/** Settings over the contract. Keys are deliberately absent: secrets never cross the network. */
export function settingsHandlers(deps: SettingsDeps): Pick<Handlers, SettingsMethod> {
  const view = (): SettingsView => ({
    ffmpegPath: ffmpegPathSetting.read(deps.db),
    providers: deps.providers(),
    dataDir: deps.dataDir,
    minSegmentSeconds: segmentsSetting.read(deps.db)?.minSegmentSeconds ?? null,
    localParts: localPartsSetting.read(deps.db) ?? defaultLocalParts(),
    renderHours: renderHoursSetting.read(deps.db),
    yieldToUser: yieldToUserSetting.read(deps.db),
    blockLimit: blocklistSetting.read(deps.db)?.maxTaskFailures ?? DEFAULT_BLOCK_LIMIT,
  });
  return {
    'settings.providers': () => deps.providers(),
    'settings.get': view,
    'settings.setFfmpegPath': ({ path }) => {
      if (path !== null) {
        const issues = ffmpegPathProblems(path);
        if (issues.length > 0)
          throw new CallFailure('invalid', `ffmpeg path: ${issues.map((i) => i.message).join('; ')}`, issues);
      }
      ffmpegPathSetting.write(deps.db, path);
      return view();
    },
    // The contract's schema bounds the seconds; the next video sent to the farm uses them.
    'settings.setMinSegmentSeconds': ({ seconds }) => {
      segmentsSetting.write(deps.db, { minSegmentSeconds: seconds });
      return view();
    },
    // The node reads these every couple of seconds (workstation-guard.ts): no restart needed.
    'settings.setRenderHours': ({ hours }) => {
      const text = hours?.trim() ?? '';
      if (text === '') {
        renderHoursSetting.write(deps.db, null);
        return view();
      }
      const parsed = parseRenderHours(text);
      if (!parsed.ok)
        throw new CallFailure('invalid', `render hours: ${parsed.message}`, [
          { field: 'hours', message: parsed.message },
        ]);
      renderHoursSetting.write(deps.db, text);
      return view();
    },
    'settings.setYieldToUser': ({ yieldToUser }) => {
      yieldToUserSetting.write(deps.db, yieldToUser);
      return view();
    },
    'settings.setBlockLimit': ({ maxTaskFailures }) => {
      blocklistSetting.write(deps.db, { maxTaskFailures });
      return view();
    },
    // The next video encoded here uses them; a node's farm slots change at its next start.
    'settings.setLocalParts': (localParts) => {
      localPartsSetting.write(deps.db, localParts);
      return view();
    },
    // Reached only over IPC (LOCAL_ONLY_METHODS): a key never crosses the network.
    'settings.setSecret': async ({ name, value }) => {
      if (!SECRET_NAMES.includes(name)) throw new CallFailure('invalid', `unknown key ${String(name)}`);
      if (typeof value !== 'string' || value.length > 4096)
        throw new CallFailure('invalid', 'the key must be text of at most 4096 characters');
      if (!isWritable(deps.secrets)) {
        throw new CallFailure(
          'unavailable',
          `keys are read from environment variables here: set ${secretEnvName(name)}`,
        );
      }
      await deps.secrets.set(name, value);
      return view();
    },
  };
}

/** What is wrong with `path` as an ffmpeg to run (empty when it is an absolute path to an executable file). */
function ffmpegPathProblems(path: string): FieldIssue[] {
  const problem = (message: string): FieldIssue[] => [{ field: 'path', message }];
  if (path.trim() === '') return problem('path must not be empty');
  if (!isAbsolute(path)) return problem('path must be absolute, e.g. /usr/bin/ffmpeg');
  try {
    if (!statSync(path).isFile()) return problem('path is not a file');
    accessSync(path, constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return problem(code === 'ENOENT' ? 'no file at this path' : 'the file is not executable');
  }
  return [];
}
