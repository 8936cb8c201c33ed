import type { ProviderStatus, SettingsView } from '../../shared/contract.ts';
import type { Db } from '../db/open.ts';
import { CallFailure, type HandlerMap } from './call-failure.ts';
import { ffmpegPathProblems, readFfmpegPathSetting, writeFfmpegPathSetting } from './ffmpeg-path-setting.ts';

export type SettingsMethod = 'settings.providers' | 'settings.get' | 'settings.setFfmpegPath';

export interface SettingsDeps {
  db: Db;
  dataDir: string;
  /** Whether each provider has its keys: never the keys themselves. */
  providers(): ProviderStatus;
}

/** Settings over the contract. Keys are deliberately absent: secrets never cross the network. */
export function settingsHandlers(deps: SettingsDeps): HandlerMap<SettingsMethod> {
  const view = (): SettingsView => ({
    ffmpegPath: readFfmpegPathSetting(deps.db),
    providers: deps.providers(),
    dataDir: deps.dataDir,
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
  };
}
