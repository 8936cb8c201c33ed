import type { ProviderStatus, SettingsView } from '../../shared/contract.ts';
import type { Db } from '../db/open.ts';
import {
  minSegmentSecondsProblems,
  readMinSegmentSeconds,
  writeMinSegmentSeconds,
} from '../farm/segments/segment-policy.ts';
import { isWritable, SECRET_NAMES, type SecretStore, secretEnvName } from '../secrets/secret-store.ts';
import { CallFailure } from './call-failure.ts';
import type { Handlers } from './dispatch.ts';
import { ffmpegPathProblems, readFfmpegPathSetting, writeFfmpegPathSetting } from './ffmpeg-path-setting.ts';

export type SettingsMethod =
  | 'settings.providers'
  | 'settings.get'
  | 'settings.setFfmpegPath'
  | 'settings.setMinSegmentSeconds'
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
    ffmpegPath: readFfmpegPathSetting(deps.db),
    providers: deps.providers(),
    dataDir: deps.dataDir,
    minSegmentSeconds: readMinSegmentSeconds(deps.db),
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
      writeFfmpegPathSetting(deps.db, path);
      return view();
    },
    'settings.setMinSegmentSeconds': ({ seconds }) => {
      const issues = minSegmentSecondsProblems(seconds);
      if (issues.length > 0)
        throw new CallFailure('invalid', `minimum segment length: ${issues[0]?.message}`, issues);
      writeMinSegmentSeconds(deps.db, seconds);
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
