import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOfflineSynthesizer } from './offline.ts';
import { createSaySynthesizer, parseSayVoices, sayArguments, sayInputText } from './say.ts';
import { readWavHeader } from './wav.ts';

const VOICE_LISTING = [
  'Alex                en_US    # Most people recognize me by my voice.',
  'Bad News            en_US    # The light you see at the end of the tunnel is the headlamp of a fast approaching train.',
  'Eddy (English (UK)) en_GB    # Hello! My name is Eddy.',
  'Luciana             pt_BR    # Olá, meu nome é Luciana e eu sou uma voz portuguesa brasileira.',
].join('\n');

/**
 * A stand-in for macOS say: checks its arguments the way this adapter must call it, records them,
 * drops embedded [[commands]] as say does, and speaks the rest with espeak-ng into the WAV asked for.
 */
const FAKE_SAY = `#!/bin/sh
here=$(dirname "$0")
if [ "$#" -eq 2 ] && [ "$1" = "-v" ] && [ "$2" = "?" ]; then cat "$here/voices.txt"; exit 0; fi
printf '%s\\n' "$@" > "$here/args.txt"
voice=""; rate=""; out=""; file=""; fileformat=""; dataformat=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    -v) voice="$2"; shift 2 ;;
    -r) rate="$2"; shift 2 ;;
    -o) out="$2"; shift 2 ;;
    -f) file="$2"; shift 2 ;;
    --file-format=*) fileformat="\${1#--file-format=}"; shift ;;
    --data-format=*) dataformat="\${1#--data-format=}"; shift ;;
    *) echo "fake say: unexpected argument: $1" >&2; exit 64 ;;
  esac
done
[ "$fileformat" = "WAVE" ] || { echo "fake say: wants --file-format=WAVE" >&2; exit 64; }
[ "$dataformat" = "LEI16@22050" ] || { echo "fake say: wants --data-format=LEI16@22050" >&2; exit 64; }
case "$out" in *.wav) ;; *) echo "fake say: output name must end in .wav" >&2; exit 64 ;; esac
[ -f "$file" ] || { echo "fake say: no text file" >&2; exit 66; }
case "$voice" in
  Alex|Luciana|"Eddy (English (UK))") ;;
  *) echo "Voice \\\`$voice' not found." >&2; exit 1 ;;
esac
cp "$file" "$here/text.txt"
sed 's/\\[\\[[^]]*\\]\\]//g' "$file" > "$here/spoken.txt"
exec espeak-ng -v en-us -s "$rate" -w "$out" -f "$here/spoken.txt"
`;

let dir: string;
let fakeDir: string;
let fakeSay: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vf-say-out-'));
  fakeDir = await mkdtemp(join(tmpdir(), 'vf-say-bin-'));
  fakeSay = join(fakeDir, 'say');
  await writeFile(fakeSay, FAKE_SAY);
  await chmod(fakeSay, 0o755);
  await writeFile(join(fakeDir, 'voices.txt'), `${VOICE_LISTING}\n`);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(fakeDir, { recursive: true, force: true });
});

describe('say synthesizer (against a fake say)', () => {
  it('calls say with voice, rate, WAV format and a text file, and yields a valid WAV', async () => {
    const say = createSaySynthesizer({ binary: fakeSay });
    const out = join(dir, 'line.wav');
    const text = 'Hello [[slnc 5000]] world & <b>friends</b>';
    await say.synthesizeToWav({ text, voice: 'Eddy (English (UK))', rate: '+20%', pitch: '+2st' }, out);

    const args = (await readFile(join(fakeDir, 'args.txt'), 'utf8')).trimEnd().split('\n');
    expect(args.slice(0, 4)).toEqual(['-v', 'Eddy (English (UK))', '-r', '210']);
    expect(args[4]).toBe('-o');
    expect(args.slice(6, 9)).toEqual(['--file-format=WAVE', '--data-format=LEI16@22050', '-f']);
    expect(args).toHaveLength(10);
    // Our own pitch command is obeyed; the script's "[[slnc 5000]]" is broken up and spoken literally.
    expect(await readFile(join(fakeDir, 'text.txt'), 'utf8')).toBe(
      `[[pbas +2]] ${text.replace('[[', '[ [')}`,
    );

    expect(await readWavHeader(out)).toMatchObject({ sampleRate: 22050, channels: 1 });
    expect((await readWavHeader(out)).frameCount).toBeGreaterThan(22050);
    expect(await readdir(dir)).toEqual(['line.wav']);
  });

  it('lists voices from say -v ? and reports availability', async () => {
    const say = createSaySynthesizer({ binary: fakeSay });
    expect(await say.available()).toBe(true);
    expect(await say.voices()).toEqual([
      { name: 'Alex', language: 'en-US' },
      { name: 'Bad News', language: 'en-US' },
      { name: 'Eddy (English (UK))', language: 'en-GB' },
      { name: 'Luciana', language: 'pt-BR' },
    ]);
    expect(await say.version()).toMatch(/^darwin-/);
  });

  it('reports an unknown voice as a typed error and leaves nothing behind', async () => {
    const say = createSaySynthesizer({ binary: fakeSay });
    const failure = say.synthesizeToWav({ text: 'Hi', voice: 'Nobody' }, join(dir, 'x.wav'));
    await expect(failure).rejects.toMatchObject({
      kind: 'invalid-voice',
      message: /say has no voice "Nobody"/,
    });
    expect(await readdir(dir)).toEqual([]);
  });

  it('is unavailable, with a clear error, when say is missing', async () => {
    const say = createSaySynthesizer({ binary: join(fakeDir, 'missing-say') });
    expect(await say.available()).toBe(false);
    await expect(
      say.synthesizeToWav({ text: 'Hi', voice: 'Alex' }, join(dir, 'x.wav')),
    ).rejects.toMatchObject({
      kind: 'engine-missing',
    });
  });
});

describe('say text and arguments', () => {
  it('neutralises embedded commands and adds only its own pitch command', () => {
    expect(sayInputText({ text: '[[rate 500]]Fast? [[[volm 0]]', voice: 'Alex' })).toBe(
      '[ [rate 500]]Fast? [ [ [volm 0]]',
    );
    expect(sayInputText({ text: 'Low', voice: 'Alex', pitch: '-3st' })).toBe('[[pbas -3]] Low');
    expect(sayInputText({ text: 'Plain', voice: 'Alex', pitch: '+0st' })).toBe('Plain');
  });

  it('builds the documented command line', () => {
    expect(sayArguments({ text: 'x', voice: 'Alex', rate: '-20%' }, '/t/in.txt', '/t/o.wav', 175)).toEqual([
      '-v',
      'Alex',
      '-r',
      '140',
      '-o',
      '/t/o.wav',
      '--file-format=WAVE',
      '--data-format=LEI16@22050',
      '-f',
      '/t/in.txt',
    ]);
  });

  it('parses voice names with spaces and parentheses', () => {
    expect(
      parseSayVoices('Eddy (Spanish (Spain)) es_ES    # ¡Hola! Me llamo Eddy.\n\nnot a voice line'),
    ).toEqual([{ name: 'Eddy (Spanish (Spain))', language: 'es-ES' }]);
  });
});

describe('createOfflineSynthesizer', () => {
  it('uses say on a Mac when it is there, espeak-ng otherwise', async () => {
    const onMac = createOfflineSynthesizer('darwin', { say: { binary: fakeSay } });
    expect(onMac.id).toBe('say');
    expect(await onMac.voices()).toHaveLength(4); // really wired to the say binary it found
    expect(createOfflineSynthesizer('darwin', { say: { binary: join(fakeDir, 'none') } }).id).toBe(
      'espeak-ng',
    );
    expect(createOfflineSynthesizer('linux', { say: { binary: fakeSay } }).id).toBe('espeak-ng');
  });
});
