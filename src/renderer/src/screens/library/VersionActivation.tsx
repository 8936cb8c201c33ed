import { useId, useState } from 'react';

interface VersionActivationProps {
  /** The recipe's or style's slug, for the labels. */
  slug: string;
  activeVersion: number | null;
  latestVersion: number;
  onActivate(version: number): void;
}

/** Picks which version of a versioned row (a recipe, a caption style) new jobs use. */
export function VersionActivation({
  slug,
  activeVersion,
  latestVersion,
  onActivate,
}: VersionActivationProps) {
  const selectId = useId();
  const [version, setVersion] = useState(activeVersion ?? latestVersion);
  const versions = Array.from({ length: latestVersion }, (_, index) => latestVersion - index);
  return (
    <span className="row">
      <label htmlFor={selectId} className="visually-hidden">
        Version of {slug}
      </label>
      <select id={selectId} value={version} onChange={(e) => setVersion(Number(e.target.value))}>
        {versions.map((v) => (
          <option key={v} value={v}>
            v{v}
            {v === activeVersion ? ' (active)' : ''}
          </option>
        ))}
      </select>
      <button
        type="button"
        disabled={version === activeVersion}
        onClick={() => onActivate(version)}
        aria-label={`Activate ${slug} v${version}`}
      >
        Activate
      </button>
    </span>
  );
}
