import { symlink, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, type Harness, login, startHarness } from './harness.ts';

let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(() => h.close());

it('probe', async () => {
  const out: Record<string, unknown> = {};
  const idx = await call(h, 'GET', '/', { headers: { host: 'evil.example:' + h.port } });
  out.indexEvilHost = [idx.status, idx.headers['content-security-policy'], idx.headers['x-frame-options'], idx.headers['cross-origin-resource-policy']];
  const ch = await call(h, 'GET', '/api/v1/session/challenge', { headers: { host: 'evil.example' } });
  out.challengeEvilHost = [ch.status, ch.text];
  const pre = await call(h, 'OPTIONS', '/api/v1/call/jobs.list', { headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-vfo-ui,content-type' } });
  out.preflight = [pre.status, Object.keys(pre.headers).filter((k) => k.startsWith('access-control'))];
  for (const p of ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/index.html/..%2f..%2fx', '/..%5c..%5cetc%5cpasswd', '//etc/passwd', '/index.html%00.js'])
    out[p] = (await call(h, 'GET', p)).status;
  const cookie = await login(h);
  out.cookie = cookie;
  // video with Range
  const id = '00000000-0000-0000-0000-000000000001';
  await mkdir(join(h.dir, 'videos'), { recursive: true });
  await writeFile(join(h.dir, 'videos', 'a.mp4'), Buffer.alloc(1000, 1));
  h.jobs.set(id, { status: 'done', outputPath: join(h.dir, 'videos', 'a.mp4') });
  for (const r of ['bytes=0-1,2-3,4-5', 'bytes=-0', 'bytes=999999999-', 'bytes=0-0,' + Array(2000).fill('0-999').join(','), 'bytes=1e3-'])
    { const rr = await call(h, 'GET', `/api/v1/jobs/${id}/video`, { headers: { cookie, range: r } }); out['range ' + r.slice(0, 30)] = [rr.status, rr.headers['content-range'], rr.text.length]; }
  const unauth = await call(h, 'GET', `/api/v1/jobs/${id}/video`);
  out.videoNoCookie = unauth.status;
  console.log(JSON.stringify(out, null, 1));
});
