import { expect } from 'vitest';
import type { Diagnostic } from './types.ts';

/** Every diagnostic names the file, a line of the text and a column of that line, and says something. */
export function expectLocated(text: string, diagnostics: Diagnostic[], name: string): void {
  const lines = text.split(/\r\n|\r|\n/);
  for (const d of diagnostics) {
    expect(d.file).toBe(name);
    expect(['error', 'warning']).toContain(d.severity);
    expect(d.message.trim()).not.toBe('');
    expect(Number.isInteger(d.line) && d.line >= 1 && d.line <= lines.length, `line ${d.line}`).toBe(true);
    const width = (lines[d.line - 1] as string).length + 1;
    expect(Number.isInteger(d.col) && d.col >= 1 && d.col <= width, `${d.line}:${d.col}`).toBe(true);
  }
}
