/** Keeps only the last lines of a stream: a long encode can print megabytes of warnings. */
export class LineTail {
  private readonly lines: string[] = [];
  private partial = '';
  private readonly maxLines: number;
  private readonly maxLineLength: number;

  constructor(maxLines = 20, maxLineLength = 1000) {
    this.maxLines = maxLines;
    this.maxLineLength = maxLineLength;
  }

  push(chunk: string): void {
    const parts = (this.partial + chunk).split(/\r?\n|\r/);
    this.partial = (parts.pop() ?? '').slice(-this.maxLineLength);
    for (const line of parts) {
      if (!line.trim()) continue;
      this.lines.push(line.slice(0, this.maxLineLength));
      if (this.lines.length > this.maxLines) this.lines.shift();
    }
  }

  text(): string {
    const all = this.partial.trim() ? [...this.lines, this.partial] : this.lines;
    return all.slice(-this.maxLines).join('\n');
  }
}
