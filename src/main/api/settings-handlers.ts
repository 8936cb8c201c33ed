import { accessSync, constants, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { FieldIssue, Method, ProviderStatus, SettingsView } from '../../shared/contract.ts';
import { parseRenderHours } from '../../shared/render-hours.ts';
import type { Db } from '../db/open.ts';
import { isWritable, SECRET_NAMES, type SecretStore, secretEnvName } from '../secrets/secret-store.ts';
import {
  blocklistSetting,
  DEFAULT_BLOCK_LIMIT,
  defaultLocalParts,
  farmQueueSetting,
  ffmpegPathSetting,
  localPartsSetting,
  renderHoursSetting,
  type Setting,
  segmentsSetting,
  UI_HOST_NAME,
  uiHostsSetting,
  yieldToUserSetting,
} from '../settings/index.ts';
import { CallFailure } from './call-failure.ts';
import { type Handlers, issuesOf } from './dispatch.ts';

export type SettingsMethod = Extract<Method, `settings.${string}`>;

export interface SettingsDeps {
  db: Db;
  dataDir: string;
  /** Whether each provider has its keys: never the keys themselves. */
  providers(): ProviderStatus;
  /** Where keys live: writable in the app (Keychain), read-only (environment) for the CLI and nodes. */
  secrets: SecretStore;
  /** Where the farm's queue is kept in this run (the setting applies from the next start). */
  farmQueueNow?: () => 'lan' | 'redis';
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
    farmQueue: farmQueueSetting.read(deps.db),
    farmQueueNow: deps.farmQueueNow?.() ?? 'lan',
    uiHosts: uiHostsSetting.read(deps.db) ?? [],
  });
  /** Writes a setting (null: back to the default) and answers with the settings as they now are. */
  const saved = <T>(setting: Setting<T>, value: T | null): SettingsView => {
    setting.write(deps.db, value);
    return view();
  };
  return {
    'settings.providers': () => deps.providers(),
    'settings.get': view,
    'settings.setFfmpegPath': ({ path }) => {
      if (path !== null) {
        const issues = ffmpegPathProblems(path);
        if (issues.length > 0)
          throw new CallFailure('invalid', `ffmpeg path: ${issues.map((i) => i.message).join('; ')}`, issues);
      }
      return saved(ffmpegPathSetting, path);
    },
    // The contract's schema bounds the seconds; the next video sent to the farm uses them.
    'settings.setMinSegmentSeconds': ({ seconds }) => saved(segmentsSetting, { minSegmentSeconds: seconds }),
    // The node reads these every couple of seconds (workstation-guard.ts): no restart needed.
    'settings.setRenderHours': ({ hours }) => {
      const text = hours?.trim() ?? '';
      if (text === '') return saved(renderHoursSetting, null);
      const parsed = parseRenderHours(text);
      if (!parsed.ok)
        throw new CallFailure('invalid', `render hours: ${parsed.message}`, [
          { field: 'hours', message: parsed.message },
        ]);
      return saved(renderHoursSetting, text);
    },
    // Answered from now on: the UI reads the list as requests come (a few seconds' cache).
    'settings.setUiHosts': ({ hosts }) => {
      const names = [...new Set(hosts.map((host) => host.trim().toLowerCase()).filter(Boolean))];
      const bad = names.filter((name) => !UI_HOST_NAME.test(name));
      if (bad.length > 0) {
        const message = `not a host name (letters, digits, dots and hyphens; no scheme, no port): ${bad.join(', ')}`;
        throw new CallFailure('invalid', `UI names: ${message}`, [{ field: 'hosts', message }]);
      }
      return saved(uiHostsSetting, names.length > 0 ? names : null);
    },
    'settings.setYieldToUser': ({ yieldToUser }) => saved(yieldToUserSetting, yieldToUser),
    'settings.setBlockLimit': ({ maxTaskFailures }) => saved(blocklistSetting, { maxTaskFailures }),
    // The next video encoded here uses them; a node's farm slots change at its next start.
    'settings.setLocalParts': (localParts) => saved(localPartsSetting, localParts),
    // Reached only over IPC: which Redis a Mac's farm work goes to is that Mac's decision.
    'settings.setFarmQueue': ({ redisUrl, advertiseUrl }) => {
      if (redisUrl === null || redisUrl.trim() === '') return saved(farmQueueSetting, null);
      const checked = farmQueueSetting.schema.safeParse({
        redisUrl: redisUrl.trim(),
        advertiseUrl: advertiseUrl?.trim() ? advertiseUrl.trim() : null,
      });
      if (!checked.success) {
        const issues = issuesOf(checked.error);
        throw new CallFailure('invalid', issues.map((i) => i.message).join('; '), issues);
      }
      return saved(farmQueueSetting, checked.data);
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
