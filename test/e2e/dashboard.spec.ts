/**
 * The farm dashboard after a real multi-job run on two real headless nodes: three scripts dropped in the
 * browser are rendered by the farm (their progress shows fps, speed and ETA while they encode), then the
 * Dashboard draws the queue, the throughput and the render time per video-minute from the coordinator's
 * history (uPlot canvases with the series' colours on them) and lists who encoded what on its timeline.
 * Screenshots land in test-results/.
 */
import { expect, type Page, test } from '@playwright/test';
import { openDatabase } from '../../src/main/db/open.ts';
import { historySetting } from '../../src/main/settings/index.ts';
import { dropFiles } from './support/drop-files.ts';
import { e2eFarmForSpec, shot } from './support/e2e-farm.ts';

const JOBS = 3;

/** About 20 s of narration, unique per tag so each job has a task of its own. */
function script(tag: string): string {
  const sentences = [
    'The dashboard shows what the farm did over the last hours.',
    'Every task a worker encoded is a bar on its lane.',
    'The queue chart rises when work arrives and falls as it is done.',
    'Render time per minute of video tells how fast the farm is.',
    'Throughput counts the tasks that finished in each interval.',
    'This is the end of the video.',
  ];
  return `---\ntitle: Dashboard ${tag}\n---\n\n# One\n\n${sentences.slice(0, 3).join(' ')}\n\n# Two\n\n${sentences.slice(3).join(' ')} Number ${tag}.\n`;
}

const farm = e2eFarmForSpec({
  prefix: 'vfo-e2e-dashboard-',
  nodes: ['dash-alpha', 'dash-beta'],
  // The queue is sampled every second (a setting; 10 s by default), so a short run draws its shape.
  beforeNode: (dataDir) => {
    const database = openDatabase(dataDir);
    historySetting.write(database.db, { sampleSeconds: 1 });
    database.close();
  },
  nodeArgs: () => ['--video-preset', 'preview-360p'],
});

/** The part of a canvas the pixel count reads (this file is typechecked without the DOM lib). */
interface CanvasLike {
  width: number;
  height: number;
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}

/**
 * How many pixel rows of the canvas inside `testId` hold the colour `hex` (within a few levels): a line
 * lying flat on the axis fills two or three, a bar, a step up or a few points many more.
 */
function rowsOf(page: Page, testId: string, hex: string): Promise<number> {
  return page.evaluate(
    ({ testId, hex }) => {
      const { document } = globalThis as unknown as {
        document: { querySelector(selector: string): CanvasLike | null };
      };
      const canvas = document.querySelector(`[data-testid="${testId}"] canvas`);
      const context = canvas?.getContext('2d');
      if (!canvas || !context) return -1;
      const want = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      const rows = new Set<number>();
      for (let i = 0; i < data.length; i += 4) {
        const near = want.every((value, c) => Math.abs((data[i + c] as number) - value) <= 6);
        if (near && (data[i + 3] as number) > 200) rows.add(Math.floor(i / 4 / canvas.width));
      }
      return rows.size;
    },
    { testId, hex },
  );
}

test('a multi-job run on the farm, then its dashboard', async ({ page }) => {
  const [alpha] = farm.nodes;
  if (!alpha) throw new Error('no node started');

  await test.step('log in and queue three scripts', async () => {
    await page.goto(alpha.url);
    await page.getByLabel('Farm key').fill(farm.farmKey);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Jobs' })).toBeVisible();
    await dropFiles(
      page,
      page.getByTestId('drop-zone'),
      Array.from({ length: JOBS }, (_, i) => ({ name: `dash-${i}.md`, text: script(`dash-${i}`) })),
    );
    await page.getByLabel('Video preset').selectOption('preview-360p');
    await page.getByRole('button', { name: `Queue ${JOBS} valid scripts` }).click();
    await expect(page.getByTestId('job-row')).toHaveCount(JOBS);
  });

  await test.step('while they encode, the jobs say how fast and when they will be done', async () => {
    // Any job's row: each encode lasts a few seconds, and ffmpeg has an fps figure only after its first.
    const rate = page
      .getByTestId('job-list')
      .getByTestId('progress-rate')
      .filter({ hasText: /\d+(\.\d)? fps · \d+(\.\d+)?× · ETA \d+:\d\d/ });
    await expect(rate.first()).toBeVisible({ timeout: 90_000 });
    await shot(page, 'dashboard-01-jobs-encoding');
    await expect(page.locator('[data-testid="job-row"][data-status="done"]')).toHaveCount(JOBS, {
      timeout: 120_000,
    });
  });

  await test.step('the dashboard draws the run', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
    await expect(page.getByTestId('total-done')).toHaveText(String(JOBS), { timeout: 20_000 });
    // Who encoded what: every job on a node's lane.
    const tasks = page.locator('[data-testid="timeline-task"][data-outcome="done"]');
    await expect(tasks).toHaveCount(JOBS);
    await expect(page.getByTestId('timeline-lane')).not.toHaveCount(0);
    // Each chart has points, and its canvas shows its series' colour (not only axes and grid).
    await expect(page.getByTestId('chart-render-rate')).toHaveAttribute('data-points', String(JOBS));
    await expect(page.getByTestId('chart-throughput')).not.toHaveAttribute('data-points', '0');
    await expect(page.getByTestId('chart-queue')).not.toHaveAttribute('data-points', '0');
    await expect.poll(() => rowsOf(page, 'chart-render-rate', '#7048e8')).toBeGreaterThan(5);
    await expect.poll(() => rowsOf(page, 'chart-throughput', '#2b8a3e')).toBeGreaterThan(5);
    // Tasks were encoding: the "Encoding" line rose off the axis.
    await expect.poll(() => rowsOf(page, 'chart-queue', '#1f5fd1')).toBeGreaterThan(5);
    await shot(page, 'dashboard-02-after-run');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'dashboard-03-after-run-dark');
  });

  await test.step('the Farm view shows no alert left and nothing encoding', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Farm' }).click();
    await expect(page.getByTestId('farm-alerts-none')).toBeVisible({ timeout: 20_000 });
    await expect(page.getByTestId('farm-encode')).toHaveCount(0);
    await expect(page.getByText('Nothing is encoding right now.')).toBeVisible();
  });
});
