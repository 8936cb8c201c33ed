/** Found by attacking the CLI: `vfo jobs list | head -1` died of an unhandled EPIPE, with a stack trace. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

it('finishes quietly when whoever reads its output stops reading', async () => {
  const io = join(import.meta.dirname, 'io.ts');
  const writer = spawn(process.execPath, [
    '-e',
    `import(${JSON.stringify(io)}).then(({ processIo }) => {
      for (let i = 0; i < 200000; i++) processIo.out('line ' + i);
      processIo.err('still here');
    })`,
  ]);
  // The reader goes away after the first lines, as head -1 does.
  writer.stdout.once('data', () => writer.stdout.destroy());
  let stderr = '';
  writer.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const code = await new Promise((resolve) => writer.on('exit', resolve));
  expect(stderr).toBe('still here\n');
  expect(code).toBe(0);
});
