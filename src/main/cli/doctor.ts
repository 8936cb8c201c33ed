import { openApp } from '../app/open-app.ts';
import type { OpenedDatabase } from '../db/open.ts';
import type { PipelineServices } from '../pipeline/index.ts';
import { envSecretStore, providerReadiness } from '../secrets/secret-store.ts';
import { createOfflineSynthesizer } from '../speech/index.ts';
import { parseCommandArgs } from './args.ts';
import { type CliIo, EXIT, printJson } from './io.ts';

export const DOCTOR_USAGE = 'usage: vfo doctor [--ffmpeg PATH] [--json] [--data DIR]';

const INTERESTING_ENCODERS = ['h264_videotoolbox', 'hevc_videotoolbox', 'libx264', 'libx265'];
/** The H.264 encoders the seeded video presets name: a render needs one of them. */
const H264_ENCODERS = ['h264_videotoolbox', 'libx264'];

/** `vfo doctor`: what this machine can do, and what is missing, without ever printing a secret. */
export async function doctorCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(argv, { ffmpeg: { type: 'string' } }, { positionals: false });
  if (values.help) {
    io.out(DOCTOR_USAGE);
    return EXIT.ok;
  }
  // --ffmpeg beats Settings' path, which beats the search: the very ffmpeg a render here would use.
  const ctx = await openApp({ data: values.data, ffmpeg: values.ffmpeg });
  try {
    const report: DoctorReport = {
      dataDir: ctx.dataDir,
      database: ctx.database.path,
      databaseCheck: databaseCheck(ctx.database.sqlite),
      ffmpeg: await ffmpegReport(ctx.services.ffmpeg),
      voices: await voiceReport(),
      keys: providerReadiness(envSecretStore(), process.env.AZURE_SPEECH_HOST),
    };
    const missing = missingForRender(report);
    const ready = missing.length === 0;
    if (values.json) printJson(io, { ready, missing, ...report });
    else io.out(formatReport(report, missing));
    return ready ? EXIT.ok : EXIT.failure;
  } finally {
    await ctx.close();
  }
}

async function ffmpegReport(ffmpeg: PipelineServices['ffmpeg']) {
  try {
    const { location, probe } = await ffmpeg();
    const encoders = Object.fromEntries(INTERESTING_ENCODERS.map((e) => [e, probe.encoders.includes(e)]));
    return {
      ok: true as const,
      path: location.ffmpegPath,
      ffprobe: location.ffprobePath,
      source: location.source,
      version: probe.version,
      encoders,
      libass: probe.hasLibass,
    };
  } catch (error) {
    return { ok: false as const, error: (error as Error).message };
  }
}

async function voiceReport() {
  const synth = createOfflineSynthesizer();
  const available = await synth.available();
  const voices = available ? await synth.voices().catch(() => []) : [];
  return {
    offline: {
      engine: synth.id,
      available,
      version: available ? await synth.version() : null,
      voices: voices.length,
    },
  };
}

/**
 * SQLite's own quick check of the data folder's database: "ok", or its first problem. A database with
 * a damaged page said "ready to render", and every other command failed with "database disk image is
 * malformed" (found by attacking the data folder).
 */
function databaseCheck(sqlite: OpenedDatabase['sqlite']): string {
  try {
    const rows = sqlite.pragma('quick_check', { simple: false }) as { quick_check: string }[];
    return rows[0]?.quick_check ?? 'ok';
  } catch (error) {
    return (error as Error).message;
  }
}

interface DoctorReport {
  dataDir: string;
  database: string;
  databaseCheck: string;
  ffmpeg: Awaited<ReturnType<typeof ffmpegReport>>;
  voices: Awaited<ReturnType<typeof voiceReport>>;
  keys: { anthropic: boolean; azureSpeech: boolean };
}

/**
 * What a render here lacks: an ffmpeg without an H.264 encoder or libass said "ready to render", and
 * the render failed at its video step, after the narration (found by attacking the farm's controls).
 */
function missingForRender(r: DoctorReport): string[] {
  const missing: string[] = [];
  if (r.databaseCheck !== 'ok') missing.push('an undamaged database (restore the data folder from a backup)');
  if (!r.ffmpeg.ok) missing.push('ffmpeg');
  else {
    const { encoders, libass } = r.ffmpeg;
    if (!H264_ENCODERS.some((e) => encoders[e]))
      missing.push(`an H.264 encoder (${H264_ENCODERS.join(' or ')})`);
    if (!libass) missing.push('libass (burned-in captions)');
  }
  if (!r.voices.offline.available) missing.push(`the offline voice (${r.voices.offline.engine})`);
  return missing;
}

function formatReport(r: DoctorReport, missing: readonly string[]): string {
  const intact = r.databaseCheck === 'ok' ? 'intact' : `DAMAGED: ${r.databaseCheck}`;
  const lines = [`data folder   ${r.dataDir}`, `database      ${r.database} (${intact})`];
  if (r.ffmpeg.ok) {
    lines.push(`ffmpeg        ${r.ffmpeg.path} (${r.ffmpeg.source}, ${r.ffmpeg.version})`);
    lines.push(`ffprobe       ${r.ffmpeg.ffprobe ?? 'not found (verification falls back to ffmpeg)'}`);
    lines.push(
      `encoders      ${Object.entries(r.ffmpeg.encoders)
        .map(([e, ok]) => `${e} ${ok ? 'yes' : 'no'}`)
        .join(', ')}`,
    );
    lines.push(`libass        ${r.ffmpeg.libass ? 'yes' : 'no (captions cannot be burned in)'}`);
  } else {
    lines.push(`ffmpeg        MISSING: ${r.ffmpeg.error}`);
  }
  const v = r.voices.offline;
  lines.push(
    `offline voice ${v.available ? `${v.engine} ${v.version} (${v.voices} voices)` : `MISSING: ${v.engine} not found`}`,
  );
  lines.push(
    `claude        ${r.keys.anthropic ? 'ready (ANTHROPIC_API_KEY set)' : 'not configured: set ANTHROPIC_API_KEY'}`,
  );
  lines.push(
    `azure speech  ${r.keys.azureSpeech ? 'ready (AZURE_SPEECH_KEY set)' : 'not configured: set AZURE_SPEECH_KEY and AZURE_SPEECH_REGION (the offline voice is used instead)'}`,
  );
  lines.push(missing.length === 0 ? 'ready to render' : `NOT ready to render: missing ${missing.join(', ')}`);
  return lines.join('\n');
}
