import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../../shared/contract.ts';
import { countLabel, formatDiagnostic, splitDiagnostics } from './diagnostics.ts';

const diagnostic = (
  line: number,
  col: number,
  severity: Diagnostic['severity'],
  message: string,
): Diagnostic => ({
  file: 'intro.md',
  line,
  col,
  severity,
  message,
});

describe('diagnostics', () => {
  it('formats a diagnostic as file:line:col: message, like the CLI', () => {
    expect(formatDiagnostic(diagnostic(12, 5, 'error', 'unknown direction [frobnicate]'))).toBe(
      'intro.md:12:5: unknown direction [frobnicate]',
    );
  });

  it('splits errors from warnings, each in file order', () => {
    const { errors, warnings } = splitDiagnostics([
      diagnostic(9, 1, 'warning', 'w2'),
      diagnostic(7, 3, 'error', 'e2'),
      diagnostic(2, 8, 'warning', 'w1'),
      diagnostic(7, 1, 'error', 'e1'),
    ]);
    expect(errors.map((d) => d.message)).toEqual(['e1', 'e2']);
    expect(warnings.map((d) => d.message)).toEqual(['w1', 'w2']);
  });

  it('does not reorder the caller’s array', () => {
    const input = [diagnostic(3, 1, 'error', 'b'), diagnostic(1, 1, 'error', 'a')];
    splitDiagnostics(input);
    expect(input.map((d) => d.message)).toEqual(['b', 'a']);
  });

  it('counts with the right plural', () => {
    expect(countLabel(1, 'scene')).toBe('1 scene');
    expect(countLabel(0, 'scene')).toBe('0 scenes');
    expect(countLabel(3, 'valid script')).toBe('3 valid scripts');
  });
});
