/** Script problems as the CLI prints them: "intro.md:12:5: message", errors first, in file order. */
import type { Diagnostic } from '../../../shared/contract.ts';

export function formatDiagnostic(diagnostic: Diagnostic): string {
  return `${diagnostic.file}:${diagnostic.line}:${diagnostic.col}: ${diagnostic.message}`;
}

function byPosition(a: Diagnostic, b: Diagnostic): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col;
}

export function splitDiagnostics(diagnostics: readonly Diagnostic[]): {
  errors: Diagnostic[];
  warnings: Diagnostic[];
} {
  const sorted = [...diagnostics].sort(byPosition);
  return {
    errors: sorted.filter((d) => d.severity === 'error'),
    warnings: sorted.filter((d) => d.severity === 'warning'),
  };
}

export function countLabel(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}
