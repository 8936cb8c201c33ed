/** One collapsible log per step, in pipeline order. */
export function JobLogs({ logs, order }: { logs: Record<string, string>; order: string[] }) {
  const keys = [
    ...order.filter((key) => key in logs),
    ...Object.keys(logs).filter((key) => !order.includes(key)),
  ];
  if (keys.length === 0) return <p className="muted">No log lines yet.</p>;
  return (
    <div data-testid="logs">
      {keys.map((key) => (
        <details key={key}>
          <summary>{key}</summary>
          <pre className="log">{logs[key]}</pre>
        </details>
      ))}
    </div>
  );
}
