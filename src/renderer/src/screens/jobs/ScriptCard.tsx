import type { Diagnostic, MediaUse } from '../../../../shared/contract.ts';
import { countLabel, formatDiagnostic, splitDiagnostics } from '../../lib/diagnostics.ts';
import { formatEstimate } from '../../lib/format-duration.ts';
import { routeToHash } from '../../lib/routes.ts';
import type { DroppedScript } from '../../stores/import-store.ts';
import { useImportStore } from '../../stores/import-store.ts';

function DiagnosticList({ items, kind }: { items: Diagnostic[]; kind: 'errors' | 'warnings' }) {
  if (items.length === 0) return null;
  return (
    <ul
      className={`diagnostics ${kind}`}
      aria-label={kind === 'errors' ? 'Errors' : 'Warnings'}
      data-testid={kind}
    >
      {items.map((diagnostic) => (
        <li key={`${diagnostic.line}:${diagnostic.col}:${diagnostic.message}`}>
          {formatDiagnostic(diagnostic)}
        </li>
      ))}
    </ul>
  );
}

/** Every media file the script names: found (dropped beside it, or on the node) or missing. */
function MediaList({ media }: { media: MediaUse[] }) {
  if (media.length === 0) return null;
  return (
    <ul className="media-list" aria-label="Media" data-testid="media">
      {media.map((use) => (
        <li
          key={`${use.line}:${use.col}`}
          data-testid="media-item"
          data-path={use.path}
          data-found={String(use.found)}
          className={use.found ? 'found' : 'missing'}
        >
          <span className="muted">{use.kind}</span> {use.path} —{' '}
          <strong>{use.found ? 'found' : 'missing'}</strong>
        </li>
      ))}
    </ul>
  );
}

function Verdict({ script }: { script: DroppedScript }) {
  switch (script.state) {
    case 'checking':
      return <span className="badge">checking…</span>;
    case 'unreadable':
      return <span className="badge invalid">{script.problem ?? 'unreadable'}</span>;
    case 'queued':
      return (
        <span className="badge queued-ok">
          queued
          {script.jobId ? (
            <>
              {' '}
              — <a href={routeToHash({ screen: 'job', jobId: script.jobId })}>open job</a>
            </>
          ) : null}
        </span>
      );
    case 'checked':
      return script.check?.ok ? (
        <span className="badge ok">valid</span>
      ) : (
        <span className="badge invalid">invalid — not queued</span>
      );
  }
}

/** One dropped script: its verdict, what the node understood of it, and every located problem. */
export function ScriptCard({ script }: { script: DroppedScript }) {
  const remove = useImportStore((state) => state.remove);
  const check = script.check;
  const { errors, warnings } = splitDiagnostics(check?.diagnostics ?? []);
  const validity = check ? (check.ok ? 'valid' : 'invalid') : script.state === 'unreadable' ? 'invalid' : '';
  return (
    <li
      className={`script-card ${validity}`}
      aria-label={script.name}
      data-testid="script-card"
      data-name={script.name}
      data-state={script.state}
      data-valid={check ? String(check.ok) : undefined}
    >
      <header>
        <h3>{script.name}</h3>
        <Verdict script={script} />
        {script.state !== 'checking' ? (
          <button
            type="button"
            onClick={() => remove(script.key)}
            aria-label={`Remove ${script.name} from the list`}
          >
            Remove
          </button>
        ) : null}
      </header>
      {check ? (
        <>
          <p className="muted">
            {check.title ? <strong>{check.title}</strong> : 'Untitled'} ·{' '}
            {countLabel(check.scenes.length, 'scene')} ·{' '}
            <span data-testid="estimate">{formatEstimate(check.estimatedSeconds)}</span>
          </p>
          {check.scenes.length > 0 ? (
            <ol aria-label="Scenes">
              {check.scenes.map((scene, index) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a check's scene list never reorders; its position is its identity
                <li key={`${index}-${scene.title}`}>
                  {scene.title || 'Untitled scene'}{' '}
                  <span className="muted">({countLabel(scene.sentences, 'sentence')})</span>
                </li>
              ))}
            </ol>
          ) : null}
          <MediaList media={check.media ?? []} />
          <DiagnosticList items={errors} kind="errors" />
          <DiagnosticList items={warnings} kind="warnings" />
        </>
      ) : null}
    </li>
  );
}
