import { useState } from 'react';

/** A form's inputs as typed (all text): `field(name)` gives one input's value and change handler. */
export function useDraft<K extends string>(initial: Record<K, string> | (() => Record<K, string>)) {
  const [draft, setDraft] = useState(initial);
  const field = (name: K) => ({
    value: draft[name],
    onChange: (value: string) => setDraft((current) => ({ ...current, [name]: value })),
  });
  return { draft, field };
}
