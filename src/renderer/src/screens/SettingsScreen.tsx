import { useEffect } from 'react';
import type { ProviderStatus } from '../../../shared/contract.ts';
import { useSettingsStore } from '../stores/settings-store.ts';

const PROVIDERS: { key: keyof ProviderStatus; name: string; purpose: string; missing: string }[] = [
  {
    key: 'anthropic',
    name: 'Claude (Anthropic)',
    purpose: 'writes scripts from a title and a brief',
    missing: 'set ANTHROPIC_API_KEY on the node (the desktop app keeps it in the Keychain)',
  },
  {
    key: 'azureSpeech',
    name: 'Azure Speech',
    purpose: 'neural narration voices',
    missing: 'set AZURE_SPEECH_KEY and AZURE_SPEECH_REGION; without them the offline voice is used',
  },
];

/** Which providers are ready. The node only ever says yes or no: key values never reach the UI. */
export function SettingsScreen() {
  const providers = useSettingsStore((state) => state.providers);
  const load = useSettingsStore((state) => state.load);
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <>
      <h1>Settings</h1>
      <h2 id="providers-heading">Providers</h2>
      {providers === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <table aria-labelledby="providers-heading" data-testid="providers">
          <thead>
            <tr>
              <th scope="col">Provider</th>
              <th scope="col">Used for</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {PROVIDERS.map((provider) => (
              <tr
                key={provider.key}
                data-testid={`provider-${provider.key}`}
                data-ready={String(providers[provider.key])}
              >
                <th scope="row">{provider.name}</th>
                <td>{provider.purpose}</td>
                <td>
                  {providers[provider.key] ? (
                    <span className="badge ok">ready</span>
                  ) : (
                    <>
                      <span className="badge">not configured</span>{' '}
                      <span className="muted">{provider.missing}</span>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
