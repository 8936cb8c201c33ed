import { useEffect } from 'react';
import type { ProviderStatus } from '../../../shared/contract.ts';
import { type Column, DataTable } from '../components/DataTable.tsx';
import { useSettingsStore } from '../stores/settings-store.ts';
import { FarmQueueForm } from './settings/FarmQueueForm.tsx';
import { FfmpegPathForm } from './settings/FfmpegPathForm.tsx';
import { KeysForm } from './settings/KeysForm.tsx';
import { LocalPartsForm } from './settings/LocalPartsForm.tsx';
import { SegmentsForm } from './settings/SegmentsForm.tsx';
import { BlockLimitForm, RenderHoursForm, UiHostsForm, YieldForm } from './settings/WorkstationForms.tsx';

interface Provider {
  key: keyof ProviderStatus;
  name: string;
  purpose: string;
  missing: string;
}

const PROVIDERS: Provider[] = [
  {
    key: 'anthropic',
    name: 'Claude (Anthropic)',
    purpose: 'writes scripts from a title and a brief',
    missing: 'set the key in the desktop app on this node (or ANTHROPIC_API_KEY for a headless node)',
  },
  {
    key: 'azureSpeech',
    name: 'Azure Speech',
    purpose: 'neural narration voices',
    missing:
      'set the key and region in the desktop app on this node (or AZURE_SPEECH_KEY and AZURE_SPEECH_REGION); until then the offline voice is used',
  },
];

const PROVIDER_COLUMNS: Column<Provider & { ready: boolean }>[] = [
  { header: 'Provider', rowHeader: true, cell: (provider) => provider.name },
  { header: 'Used for', cell: (provider) => provider.purpose },
  {
    header: 'Status',
    cell: (provider) =>
      provider.ready ? (
        <span className="badge ok">ready</span>
      ) : (
        <>
          <span className="badge">not configured</span> <span className="muted">{provider.missing}</span>
        </>
      ),
  },
];

/** The app's own window talks over IPC (the preload's bridge); a browser on the LAN does not. */
const inApp = typeof window !== 'undefined' && 'vfoBridge' in window;

/**
 * The node's ffmpeg, data folder and which providers are ready. The node only ever says yes or no about
 * a provider: keys are set in the desktop app and never cross the network.
 */
export function SettingsScreen() {
  const settings = useSettingsStore((state) => state.settings);
  const load = useSettingsStore((state) => state.load);
  useEffect(() => {
    void load();
  }, [load]);
  const providers = settings?.providers ?? null;
  return (
    <>
      <h1>Settings</h1>
      <h2 id="ffmpeg-heading">ffmpeg</h2>
      {settings === null ? (
        <p className="muted">Loading…</p>
      ) : inApp ? (
        <FfmpegPathForm key={settings.ffmpegPath ?? ''} current={settings.ffmpegPath} />
      ) : (
        // Choosing an executable is a decision for that Mac's own app, not a browser on the LAN.
        <p data-testid="ffmpeg-path">
          <code>{settings.ffmpegPath ?? 'searched for (/opt/homebrew/bin, /usr/local/bin, PATH)'}</code> —
          change it in the desktop app on that Mac.
        </p>
      )}
      <h2 id="local-parts-heading">Encoding on this Mac</h2>
      {settings === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <LocalPartsForm
          key={`${settings.localParts.parts}/${settings.localParts.minSegmentSeconds}`}
          current={settings.localParts}
        />
      )}
      <h2 id="segments-heading">Farm segments</h2>
      {settings === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <SegmentsForm key={String(settings.minSegmentSeconds)} current={settings.minSegmentSeconds} />
      )}
      <h2 id="workstation-heading">Farm work on this computer</h2>
      {settings === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <>
          <RenderHoursForm key={settings.renderHours ?? ''} current={settings.renderHours} />
          <YieldForm key={JSON.stringify(settings.yieldToUser)} current={settings.yieldToUser} />
          <BlockLimitForm key={settings.blockLimit} current={settings.blockLimit} />
        </>
      )}
      <h2 id="farm-queue-heading">Farm queue</h2>
      {settings === null ? (
        <p className="muted">Loading…</p>
      ) : inApp ? (
        <FarmQueueForm
          key={`${settings.farmQueue?.redisUrl ?? ''} ${settings.farmQueue?.advertiseUrl ?? ''}`}
          current={settings}
        />
      ) : (
        // Where a Mac's work goes (and whom it trusts) is decided in that Mac's own app.
        <p data-testid="farm-queue">
          {settings.farmQueueNow === 'redis' ? 'In Redis' : 'On the LAN'} — change it in the desktop app on
          that Mac.
        </p>
      )}
      <h2 id="ui-hosts-heading">Browser access</h2>
      {settings === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <UiHostsForm key={settings.uiHosts.join(',')} current={settings.uiHosts} />
      )}
      <h2 id="data-heading">Data folder</h2>
      <p data-testid="data-dir">{settings === null ? 'Loading…' : <code>{settings.dataDir}</code>}</p>
      <h2 id="providers-heading">Providers</h2>
      <p className="muted">
        Keys are set in the desktop app on each node (kept in the system keychain); they are never sent over
        the network, so this page only shows whether each provider is ready.
      </p>
      {inApp ? <KeysForm /> : null}
      <DataTable
        labelledBy="providers-heading"
        testId="providers"
        columns={PROVIDER_COLUMNS}
        rows={
          providers === null
            ? null
            : PROVIDERS.map((provider) => ({ ...provider, ready: providers[provider.key] }))
        }
        rowKey={(provider) => provider.key}
        rowTestId={(provider) => `provider-${provider.key}`}
        rowData={(provider) => ({ ready: String(provider.ready) })}
      />
    </>
  );
}
