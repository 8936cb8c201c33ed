import { type FormEvent, useState } from 'react';
import type { ArgsOf } from '../../../../shared/contract.ts';
import { callForForm } from '../../stores/call-api.ts';
import { useSettingsStore } from '../../stores/settings-store.ts';
import { notify } from '../../stores/toast-store.ts';

type KeyName = ArgsOf<'settings.setSecret'>['name'];

const KEYS: { name: KeyName; label: string; secret: boolean }[] = [
  { name: 'anthropic.apiKey', label: 'Claude API key', secret: true },
  { name: 'azure.speechKey', label: 'Azure Speech key', secret: true },
  { name: 'azure.speechRegion', label: 'Azure Speech region (e.g. westeurope)', secret: false },
  { name: 'redis.password', label: 'Redis password (the farm’s queue, when it is in Redis)', secret: true },
  { name: 'alerts.webhookSecret', label: 'Alert webhook secret (signs the alerts sent)', secret: true },
];

/**
 * Provider keys, in the desktop app only: they go over IPC into the system keychain and are never shown
 * again, nor sent over the network (the node refuses this call over HTTP).
 */
export function KeysForm() {
  const load = useSettingsStore((state) => state.load);
  const [values, setValues] = useState<Record<KeyName, string>>({
    'anthropic.apiKey': '',
    'azure.speechKey': '',
    'azure.speechRegion': '',
    'redis.password': '',
    'alerts.webhookSecret': '',
  });
  const [saving, setSaving] = useState(false);
  const save = async (event: FormEvent, name: KeyName, label: string) => {
    event.preventDefault();
    setSaving(true);
    const result = await callForForm(
      'settings.setSecret',
      { name, value: values[name] },
      `Saving the ${label}`,
    );
    setSaving(false);
    if (!result.ok) return;
    setValues((v) => ({ ...v, [name]: '' }));
    notify('success', values[name].trim() ? `${label} saved in the keychain` : `${label} removed`);
    await load();
  };
  return (
    <div className="panel" data-testid="keys-form">
      {KEYS.map(({ name, label, secret }) => (
        <form key={name} className="row" onSubmit={(e) => void save(e, name, label)}>
          <label>
            {label}
            <input
              type={secret ? 'password' : 'text'}
              autoComplete="off"
              value={values[name]}
              onChange={(e) => setValues((v) => ({ ...v, [name]: e.target.value }))}
            />
          </label>
          <button type="submit" disabled={saving}>
            Save
          </button>
        </form>
      ))}
      <p className="muted">Leave a field empty and save to remove that key.</p>
    </div>
  );
}
