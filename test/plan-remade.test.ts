/**
 * A render plan is named by what it holds. Found by attacking the engine: a plan made again (its blob
 * lost, or a new job of the same script) was named after its job, so its bytes changed and the video,
 * which an hour-long encode makes, was encoded again.
 */
import { readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO, runVfo, tempDir } from './support/vfo.ts';

let dir: { path: string; remove(): Promise<void> };
beforeAll(async () => {
  dir = await tempDir('vfo-plan-');
});
afterAll(async () => dir?.remove());

interface JobJson {
  artifacts: { type: string; path: string; sha256: string }[];
  steps: { key: string; reused: boolean; attempts: number }[];
}

it('makes the same plan again when its file is lost, and reuses the video', async () => {
  const script = join(dir.path, 'welcome.md');
  await writeFile(script, await readFile(join(REPO, 'examples', 'welcome.md')));
  const env = { VFO_DATA_DIR: join(dir.path, 'data') };
  const render = () => runVfo(['render', script, '--video-preset', 'preview-360p', '--json'], env);
  const first = await render();
  expect(first.code, first.stderr).toBe(0);
  const [job] = JSON.parse(first.stdout) as JobJson[];
  const plan = job?.artifacts.find((a) => a.type === 'plan');
  if (!plan) throw new Error('no plan artifact');
  await truncate(plan.path, 0);

  const again = await render();
  expect(again.code, again.stderr).toBe(0);
  const [remade] = JSON.parse(again.stdout) as JobJson[];
  const step = (key: string) => remade?.steps.find((s) => s.key === key);
  expect(step('plan')).toMatchObject({ reused: false });
  expect(step('plan')?.attempts).toBeGreaterThan(0);
  expect(step('video')).toMatchObject({ reused: true });
  expect(remade?.artifacts.find((a) => a.type === 'plan')?.sha256).toBe(plan.sha256);
}, 120_000);
