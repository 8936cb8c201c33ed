/** Runs `action(key)` once per key after a quiet moment: a burst of step events → one reload. */
export function keyedDebounce(action: (key: string) => void, delayMs: number): (key: string) => void {
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  return (key) => {
    const existing = timers.get(key);
    if (existing) clearTimeout(existing);
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        action(key);
      }, delayMs),
    );
  };
}
