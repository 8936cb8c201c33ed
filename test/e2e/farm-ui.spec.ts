/**
 * The UI in a browser on the LAN against two real headless nodes of one farm: log in with the farm
 * key, drop a valid and an invalid script, queue only the valid one, watch its encode fail, retry it,
 * play the finished video, re-run from a chosen step, and see both nodes in the Farm view.
 */
import { expect, test } from '@playwright/test';
import { dropFiles } from './support/drop-files.ts';
import { e2eFarmForSpec, shot } from './support/e2e-farm.ts';
import { type FailingFfmpeg, failingFfmpeg } from './support/failing-ffmpeg.ts';
import { E2E_LAN_HOST } from './support/lan-host.ts';

const VALID_SCRIPT = `---
title: Hello from the farm
---

# Hello

Hello from the farm. [pause 300ms] This video is short.
`;

const INVALID_SCRIPT = `# Broken

This line asks for [frobnicate] which no voice knows.
`;

/** The part of a <video> element the checks read (this file is typechecked without the DOM lib). */
interface VideoLike {
  readyState: number;
  currentTime: number;
  muted: boolean;
  play(): Promise<void>;
}

let ffmpeg: FailingFfmpeg;
const farm = e2eFarmForSpec({
  prefix: 'vfo-e2e-',
  nodes: ['e2e-alpha', 'e2e-beta'],
  prepare: async (workDir) => {
    ffmpeg = await failingFfmpeg(workDir);
    await ffmpeg.failEncodes();
  },
  nodeArgs: () => ['--ffmpeg', ffmpeg.path, '--video-preset', 'preview-360p'],
});

test('log in, queue only the valid script, retry its failed step, play it, and see the farm', async ({
  page,
}) => {
  const [alpha] = farm.nodes;
  if (!alpha) throw new Error('no node started');

  await test.step('a wrong farm key is refused, the right one logs in (over plain http, as on a LAN)', async () => {
    await page.goto(alpha.url.replace('127.0.0.1', E2E_LAN_HOST));
    // Not a secure context: no crypto.subtle; the login proof is made with @noble/hashes, as on every page.
    expect(await page.evaluate(() => (globalThis as { isSecureContext?: boolean }).isSecureContext)).toBe(
      false,
    );
    await page.getByLabel('Farm key').fill('not-the-key-of-this-farm-at-all-0123456789');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByTestId('login-error')).toBeVisible();
    await shot(page, '01-login-refused');
    await page.getByLabel('Farm key').fill(farm.farmKey);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Jobs' })).toBeVisible();
    await expect(page.getByTestId('stream-state')).toHaveAttribute('data-state', 'live');
  });

  await test.step('drop two scripts: the invalid one shows located errors and is not queued', async () => {
    await dropFiles(page, page.getByTestId('drop-zone'), [
      { name: 'hello.md', text: VALID_SCRIPT },
      { name: 'broken.md', text: INVALID_SCRIPT },
    ]);
    const valid = page.getByRole('listitem', { name: 'hello.md' });
    const invalid = page.getByRole('listitem', { name: 'broken.md' });
    await expect(valid).toHaveAttribute('data-valid', 'true');
    await expect(valid.getByTestId('estimate')).toContainText('about');
    await expect(valid).toContainText('Hello from the farm');
    await expect(invalid).toHaveAttribute('data-valid', 'false');
    await expect(invalid.getByTestId('errors')).toContainText(/broken\.md:3:\d+: .*frobnicate/);
    await shot(page, '02-dropped');

    await page.getByLabel('Video preset').selectOption('preview-360p');
    await page.getByRole('button', { name: 'Queue 1 valid script' }).click();
    await expect(valid).toHaveAttribute('data-state', 'queued');
    await expect(invalid).toHaveAttribute('data-state', 'checked');
    await expect(invalid).toContainText('not queued');
    await expect(page.getByTestId('job-row')).toHaveCount(1);
  });

  const jobView = page.getByTestId('job-view');

  await test.step('the encode fails; the failed step is shown and retried', async () => {
    await page.getByTestId('job-row').getByRole('link').click();
    await expect(jobView).toBeVisible();
    await expect(jobView).toHaveAttribute('data-status', 'failed', { timeout: 60_000 });
    const videoStep = page.locator('[data-testid="step-row"][data-step="video"]');
    await expect(videoStep).toHaveAttribute('data-status', 'failed');
    await expect(videoStep.getByTestId('step-error')).not.toBeEmpty();
    await expect(page.locator('[data-testid="step-row"][data-step="script"]')).toHaveAttribute(
      'data-status',
      'done',
    );
    await shot(page, '03-step-failed');

    await ffmpeg.allowEncodes();
    await page.getByRole('button', { name: /Retry failed step/ }).click();
    await expect(jobView).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
    await expect(videoStep).toHaveAttribute('data-status', 'done');
  });

  await test.step('the finished video plays', async () => {
    const video = page.getByTestId('job-video');
    await expect(video).toBeVisible();
    await expect
      .poll(() => video.evaluate((v: VideoLike) => v.readyState), { timeout: 15_000 })
      .toBeGreaterThanOrEqual(2);
    const start = await video.evaluate(async (v: VideoLike) => {
      v.muted = true;
      await v.play();
      return v.currentTime;
    });
    await expect
      .poll(() => video.evaluate((v: VideoLike) => v.currentTime), { timeout: 10_000 })
      .toBeGreaterThan(start);
    await shot(page, '04-done-playing');
  });

  await test.step('re-run from a chosen step', async () => {
    const before = await jobView.getAttribute('data-updated-at');
    await page.getByLabel('Re-run from step').selectOption('plan');
    await page.getByRole('button', { name: 'Re-run' }).click();
    await expect(jobView).not.toHaveAttribute('data-updated-at', before ?? '', { timeout: 30_000 });
    await expect(jobView).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
    await expect(page.getByTestId('job-video')).toBeVisible();
  });

  await test.step('the file picker adds scripts too (keyboard users need no drag)', async () => {
    await page.getByRole('link', { name: '← All jobs' }).click();
    await page.getByTestId('file-input').setInputFiles({
      name: 'picked.md',
      mimeType: 'text/markdown',
      buffer: Buffer.from(VALID_SCRIPT),
    });
    const picked = page.getByRole('listitem', { name: 'picked.md' });
    await expect(picked).toHaveAttribute('data-valid', 'true');
    await picked.getByRole('button', { name: 'Remove picked.md from the list' }).click();
    await expect(picked).toHaveCount(0);
  });

  await test.step('the Library and Settings views show the node’s recipes and provider readiness', async () => {
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Library' }).click();
    await expect(page.getByTestId('recipes')).toContainText('narrated-16x9');
    await expect(page.getByTestId('presets')).toContainText('preview-360p');

    // Edit a preset: an out-of-range crf is shown next to its field, a valid one saves.
    await page.getByRole('button', { name: 'Edit video preset preview-360p' }).click();
    const editor = page.getByTestId('library-editor');
    await editor.getByLabel('CRF').fill('99');
    await editor.getByRole('button', { name: 'Save preset' }).click();
    await expect(editor.getByTestId('field-error-crf')).toContainText('crf must be 0..51');
    await expect(editor.getByLabel('CRF')).toHaveAttribute('aria-invalid', 'true');
    await shot(page, '05-preset-field-error');
    await editor.getByLabel('CRF').fill('30');
    await editor.getByRole('button', { name: 'Save preset' }).click();
    await expect(
      page.getByTestId('toast').filter({ hasText: 'Saved video preset preview-360p' }),
    ).toBeVisible();
    await expect(editor.getByTestId('field-error-crf')).toHaveCount(0);
    // Saved again from the same editor: based on what the first save made, not refused as stale.
    await editor.getByLabel('CRF').fill('31');
    const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/call/library.saveVideoPreset'));
    await editor.getByRole('button', { name: 'Save preset' }).click();
    expect((await saved).status()).toBe(200);
    await editor.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('button', { name: 'Edit video preset preview-360p' }).click();
    await expect(page.getByTestId('library-editor').getByLabel('CRF')).toHaveValue('31');

    await nav.getByRole('link', { name: 'Settings' }).click();
    await expect(page.getByTestId('provider-anthropic')).toBeVisible();
    await expect(page.getByTestId('provider-azureSpeech')).toBeVisible();
    // In a browser on the LAN the ffmpeg choice is shown, not editable, and keys cannot be entered at all.
    await expect(page.getByTestId('ffmpeg-path')).toContainText('change it in the desktop app');
    await expect(page.getByTestId('keys-form')).toHaveCount(0);
    await expect(page.getByTestId('data-dir')).toContainText('e2e-alpha');
    // The farm's split policy is editable from the LAN: the node refuses a bad value next to its field.
    const segments = page.getByTestId('segments-form');
    const length = segments.getByLabel('Minimum segment length (seconds)');
    await expect(length).toHaveValue('20');
    await length.fill('0');
    await segments.getByRole('button', { name: 'Save segment length' }).click();
    await expect(segments.getByTestId('field-error-seconds')).toContainText('from 1 to 86400');
    await length.fill('45');
    await segments.getByRole('button', { name: 'Save segment length' }).click();
    await expect(page.getByTestId('toast').filter({ hasText: 'segments of at least 45 s' })).toBeVisible();
    await page.reload();
    await expect(
      page.getByTestId('segments-form').getByLabel('Minimum segment length (seconds)'),
    ).toHaveValue('45');
    // Other names of the node (its studio DNS name): a URL is refused next to the field, names are kept.
    const hosts = page.getByTestId('ui-hosts-form');
    const names = hosts.getByLabel('Other names of this node');
    await names.fill('http://render-9.studio.example:4870');
    await hosts.getByRole('button', { name: 'Save names' }).click();
    await expect(hosts.getByTestId('field-error-hosts')).toContainText('not a host name');
    await names.fill('Render-9.Studio.Example, ui.studio.example');
    await hosts.getByRole('button', { name: 'Save names' }).click();
    await expect(page.getByTestId('toast').filter({ hasText: 'render-9.studio.example' })).toBeVisible();
    await page.reload();
    await expect(page.getByTestId('ui-hosts-form').getByLabel('Other names of this node')).toHaveValue(
      'render-9.studio.example, ui.studio.example',
    );
  });

  await test.step('the Farm view lists both nodes with their roles and one coordinator', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Farm' }).click();
    const rows = page.getByTestId('farm-node');
    await expect(rows).toHaveCount(2, { timeout: 20_000 });
    for (const name of ['e2e-alpha', 'e2e-beta']) {
      const row = page.locator(`[data-testid="farm-node"][data-node-name="${name}"]`);
      await expect(row).toHaveAttribute('data-role', /^(coordinator|worker|candidate)$/);
    }
    await expect(page.locator('[data-testid="farm-node"][data-coordinator="true"]')).toHaveCount(1);
    await shot(page, '05-farm');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, '06-farm-dark');
  });

  await test.step('log out: the login screen again, and a reload does not bring the session back', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect(page.getByLabel('Farm key')).toBeVisible();
    await page.reload();
    await expect(page.getByLabel('Farm key')).toBeVisible();
  });
});
