import { type FormEvent, useState } from 'react';
import type { SettingsView } from '../../../../shared/contract.ts';
import { FormProblems, TextField } from '../../components/FormField.tsx';
import { unplacedMessages } from '../../lib/form-values.ts';
import { useSettingsStore } from '../../stores/settings-store.ts';

/**
 * Where the farm's queue is kept, in the desktop app only: on the LAN (found over mDNS, an elected
 * coordinator) or in Redis for a farm across sites. The Redis password goes with the keys below, into
 * the keychain; the node checks the URLs and names the field it refuses. Applies from the next start.
 */
export function FarmQueueForm({ current }: { current: SettingsView }) {
  const issues = useSettingsStore((state) => state.farmQueueIssues);
  const saving = useSettingsStore((state) => state.saving);
  const save = useSettingsStore((state) => state.setFarmQueue);
  const [redisUrl, setRedisUrl] = useState(current.farmQueue?.redisUrl ?? '');
  const [advertiseUrl, setAdvertiseUrl] = useState(current.farmQueue?.advertiseUrl ?? '');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save(redisUrl.trim() || null, advertiseUrl.trim() || null);
  };
  const now = current.farmQueueNow === 'redis' ? 'Now: in Redis.' : 'Now: on the LAN.';
  return (
    <form onSubmit={submit} noValidate className="panel" data-testid="farm-queue-form">
      <TextField
        label="Redis URL (empty: the farm stays on the LAN)"
        field="redisUrl"
        issues={issues}
        value={redisUrl}
        onChange={setRedisUrl}
        hint={`redis://host:6379, or rediss://host:6380 for TLS. Every node of the farm uses the same Redis and farm key. ${now}`}
      />
      <TextField
        label="This Mac's address for other nodes"
        field="advertiseUrl"
        issues={issues}
        value={advertiseUrl}
        onChange={setAdvertiseUrl}
        hint="Where workers fetch this Mac's assets and upload its videos, e.g. http://studio-mac.example.com:4870"
      />
      <FormProblems messages={unplacedMessages(issues, ['redisUrl', 'advertiseUrl'])} />
      <div className="row">
        <button type="submit" className="primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save (applies at the next start)'}
        </button>
      </div>
    </form>
  );
}
