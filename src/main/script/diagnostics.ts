import { printable } from '../../shared/text.ts';
import { SCRIPT_LIMITS } from './limits.ts';
import type { Diagnostic } from './types.ts';

/**
 * `file:line:col: severity: message`, the shape editors and terminals turn into links. A message quotes
 * the script: what it quotes is shown printable (no escape sequence reaches the terminal).
 */
export function formatDiagnostic(d: Diagnostic): string {
  return `${printable(d.file)}:${d.line}:${d.col}: ${d.severity}: ${printable(d.message)}`;
}

/**
 * Gathers every problem in a script (writers fix them all in one go) but keeps at most
 * `limit`, so a hostile file cannot make us print megabytes of diagnostics. Errors come first: 200
 * warnings (level-4 headings) hid the one error that stopped the render.
 */
export class DiagnosticCollector {
  readonly file: string;
  private readonly limit: number;
  private readonly kept: Diagnostic[] = [];
  private droppedCount = 0;
  private droppedErrors = 0;
  private firstDropped: Diagnostic | undefined;
  private firstDroppedError: Diagnostic | undefined;
  private errors = 0;

  constructor(file: string, limit: number = SCRIPT_LIMITS.maxDiagnostics) {
    this.file = file;
    this.limit = limit;
  }

  error(line: number, col: number, message: string): void {
    this.add({ file: this.file, line, col, severity: 'error', message });
  }

  warning(line: number, col: number, message: string): void {
    this.add({ file: this.file, line, col, severity: 'warning', message });
  }

  get hasErrors(): boolean {
    return this.errors > 0;
  }

  /** Kept diagnostics in file order, plus one summary entry when some were dropped. */
  list(): Diagnostic[] {
    const sorted = [...this.kept].sort((a, b) => a.line - b.line || a.col - b.col);
    const placed = this.firstDroppedError ?? this.firstDropped;
    if (placed) {
      sorted.push({
        ...placed,
        severity: this.droppedErrors > 0 ? 'error' : 'warning',
        message: `${this.droppedCount} more problems not shown`,
      });
    }
    return sorted;
  }

  private add(d: Diagnostic): void {
    if (d.severity === 'error') this.errors++;
    if (this.kept.length >= this.limit && d.severity === 'error') {
      // The last warning kept makes room for an error.
      const warning = this.kept.findLastIndex((k) => k.severity === 'warning');
      if (warning >= 0) this.drop(this.kept.splice(warning, 1)[0] as Diagnostic);
    }
    if (this.kept.length < this.limit) {
      this.kept.push(d);
      return;
    }
    this.drop(d);
  }

  private drop(d: Diagnostic): void {
    this.droppedCount++;
    this.firstDropped ??= d;
    if (d.severity !== 'error') return;
    this.droppedErrors++;
    this.firstDroppedError ??= d;
  }
}

/** Quotes user text in a message without letting a huge line blow up the output. */
export { shorten } from '../../shared/text.ts';
