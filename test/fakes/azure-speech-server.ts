/**
 * A local stand-in for the Azure Speech text-to-speech WebSocket service, speaking the protocol that
 * microsoft-cognitiveservices-speech-sdk 1.52 speaks (read from its sources and probed): the client sends
 * text frames "headers CRLF CRLF body" with Path speech.config, synthesis.context and ssml; the service
 * answers turn.start, response (naming the audio stream), binary audio frames (uint16 BE header length,
 * headers, PCM), audio.metadata (WordBoundary, SessionEnd; offsets in 100-ns ticks) and turn.end.
 * Reach it with `SpeechConfig.fromHost(new URL(url), key)`. Failures are scripted with setBehaviour.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';

export type FakeAzureBehaviour =
  | 'ok'
  | 'reject-401'
  | 'reject-403'
  | 'throttle-429'
  /** Sends half the audio, then cuts the TCP connection. */
  | 'drop-mid-synthesis'
  /** Sends an audio.metadata message whose body is not JSON. */
  | 'malformed-metadata'
  /** Closes with 1007, as the real service does for SSML it rejects. */
  | 'invalid-ssml'
  /** Accepts the request and never answers. */
  | 'stall'
  /** Streams audio at 20x real time and never ends the turn. */
  | 'endless'
  /** Sends a few bytes of audio every 100 ms and never ends the turn: never idle, never done. */
  | 'trickle'
  /** The speech, then five minutes of silence. */
  | 'long-audio'
  /** Word boundaries before the audio, as text, past its end, out of order, around the real ones. */
  | 'hostile-words'
  /** The first word's boundary 5,000 times. */
  | 'many-words'
  /** Two bytes of audio and no word boundary, then a normal end of turn. */
  | 'cut-short';

export interface FakeAzureSpeechOptions {
  /** Only this key is accepted (others get HTTP 401 on the upgrade, like the real service); default: any. */
  acceptKey?: string;
  /** Audio per word (default 300 ms), silence after each word (100 ms) and before the first (100 ms). */
  wordMs?: number;
  gapMs?: number;
  leadMs?: number;
}

export interface FakeWord {
  text: string;
  offsetTicks: number;
  durationTicks: number;
}

export interface FakeAzureRequest {
  ssml: string;
  /** Headers of the ssml message, names lower-cased. */
  headers: Record<string, string>;
  key?: string;
  outputFormat?: string;
  /** What the fake answered: the word boundaries and the PCM (empty when it failed on purpose). */
  words: FakeWord[];
  audio: Buffer;
}

export interface FakeAzureSpeech {
  url: string;
  requests: FakeAzureRequest[];
  /** WebSocket upgrades attempted, rejected ones included. */
  connectionCount(): number;
  /** One behaviour for every connection, or a list used one per connection and then 'ok'. */
  setBehaviour(behaviour: FakeAzureBehaviour | FakeAzureBehaviour[]): void;
  close(): Promise<void>;
}

const TTS_PATH = '/tts/cognitiveservices/websocket/v1';
const TICKS_PER_MS = 10_000;
const REJECTIONS: Partial<Record<FakeAzureBehaviour, string>> = {
  'reject-401': '401 Unauthorized',
  'reject-403': '403 Forbidden',
  'throttle-429': '429 Too Many Requests',
};
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (all, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X'))
      return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return ENTITIES[name] ?? all;
  });
}

/** Tags must nest and text may hold no bare "&": enough to catch SSML whose text was not escaped. */
function isWellFormed(ssml: string): boolean {
  const stack: string[] = [];
  for (const [token] of ssml.matchAll(/<[^>]*>|[^<]+|</g)) {
    if (token === '<') return false;
    if (!token.startsWith('<')) {
      if (/&(?!(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);)/i.test(token)) return false;
      continue;
    }
    if (token.startsWith('<?') || token.endsWith('/>')) continue;
    const name = /^<\/?([\w:.-]+)/.exec(token)?.[1];
    if (!name) return false;
    if (!token.startsWith('</')) stack.push(name);
    else if (stack.pop() !== name) return false;
  }
  return stack.length === 0 && ssml.trimStart().startsWith('<speak');
}

type Segment = { word: string } | { silenceMs: number };

/** Words (tags stripped, entities unescaped, edge punctuation dropped) and <break> silences, in order. */
function speechSegments(ssml: string): Segment[] {
  const segments: Segment[] = [];
  for (const [, voiceBody] of ssml.matchAll(/<voice\b[^>]*>([\s\S]*?)<\/voice>/g)) {
    for (const [token] of (voiceBody ?? '').matchAll(/<[^>]*>|[^<]+/g)) {
      const pause = /^<break\b[^>]*\btime="(\d+(?:\.\d+)?)(ms|s)"/.exec(token);
      if (pause) segments.push({ silenceMs: Number(pause[1]) * (pause[2] === 's' ? 1000 : 1) });
      if (token.startsWith('<')) continue;
      for (const raw of unescapeXml(token).split(/\s+/)) {
        const word = raw.replace(/^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu, '');
        if (word) segments.push({ word });
      }
    }
  }
  return segments;
}

interface SpokenAudio {
  pcm: Buffer;
  words: FakeWord[];
  totalMs: number;
}

/** Renders segments at `sampleRate`: a quiet 440 Hz tone per word, silence elsewhere. */
function renderSpeech(segments: Segment[], sampleRate: number, options: FakeAzureSpeechOptions): SpokenAudio {
  const wordMs = options.wordMs ?? 300;
  const gapMs = options.gapMs ?? 100;
  let ms = options.leadMs ?? 100;
  const words: FakeWord[] = [];
  const tones: { fromMs: number; toMs: number }[] = [];
  for (const segment of segments) {
    if ('silenceMs' in segment) {
      ms += segment.silenceMs;
      continue;
    }
    words.push({ text: segment.word, offsetTicks: ms * TICKS_PER_MS, durationTicks: wordMs * TICKS_PER_MS });
    tones.push({ fromMs: ms, toMs: ms + wordMs });
    ms += wordMs + gapMs;
  }
  const frames = Math.round((ms * sampleRate) / 1000);
  const pcm = Buffer.alloc(frames * 2);
  for (const tone of tones) {
    const end = Math.round((tone.toMs * sampleRate) / 1000);
    for (let i = Math.round((tone.fromMs * sampleRate) / 1000); i < end; i++) {
      pcm.writeInt16LE(Math.round(1000 * Math.sin((2 * Math.PI * 440 * i) / sampleRate)), i * 2);
    }
  }
  return { pcm, words, totalMs: ms };
}

function parseTextFrame(frame: string): { headers: Record<string, string>; body: string } {
  const split = frame.indexOf('\r\n\r\n');
  const head = split < 0 ? frame : frame.slice(0, split);
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body: split < 0 ? '' : frame.slice(split + 4) };
}

function textFrame(path: string, requestId: string, body: string): string {
  return `X-RequestId:${requestId}\r\nContent-Type:application/json; charset=utf-8\r\nPath:${path}\r\n\r\n${body}`;
}

function wordBoundary(word: FakeWord): string {
  const text = { Text: word.text, Length: word.text.length, BoundaryType: 'WordBoundary' };
  const data = { Offset: word.offsetTicks, Duration: word.durationTicks, text };
  return JSON.stringify({ Metadata: [{ Type: 'WordBoundary', Data: data }] });
}

/** Boundary data a hostile service might send: what 'hostile-words' and 'many-words' say. */
function hostileBoundaries(
  behaviour: 'hostile-words' | 'many-words',
  words: FakeWord[],
  totalMs: number,
): Record<string, unknown>[] {
  const data = (text: string, offset: unknown, duration: unknown = 100 * TICKS_PER_MS) => ({
    Offset: offset,
    Duration: duration,
    text: { Text: text, Length: text.length, BoundaryType: 'WordBoundary' },
  });
  const real = words.map((w) => data(w.text, w.offsetTicks, w.durationTicks));
  if (behaviour === 'many-words') return Array.from({ length: 5000 }, () => real[0] ?? data('x', 0));
  const [first, second, ...rest] = real;
  return [
    data('before', -3_600_000 * TICKS_PER_MS),
    data('soon', 'soon'),
    data('far', 1e300),
    data('after', (totalMs + 5000) * TICKS_PER_MS),
    data('forever', 0, 1e300),
    ...(first ? [first] : []),
    ...rest,
    // Reported after the later words: out of order.
    ...(second ? [second] : []),
  ];
}

function audioFrame(requestId: string, streamId: string, pcm: Buffer): Buffer {
  const headers = Buffer.from(
    `X-RequestId:${requestId}\r\nX-StreamId:${streamId}\r\nPath:audio\r\n`,
    'latin1',
  );
  const length = Buffer.alloc(2);
  length.writeUInt16BE(headers.length);
  return Buffer.concat([length, headers, pcm]);
}

function keyOf(request: IncomingMessage): string | undefined {
  const header = request.headers['ocp-apim-subscription-key'];
  if (typeof header === 'string') return header;
  return (
    new URL(request.url ?? '/', 'http://fake').searchParams.get('Ocp-Apim-Subscription-Key') ?? undefined
  );
}

export async function startFakeAzureSpeech(options: FakeAzureSpeechOptions = {}): Promise<FakeAzureSpeech> {
  const requests: FakeAzureRequest[] = [];
  let connections = 0;
  let behaviours: FakeAzureBehaviour[] = [];
  let standing: FakeAzureBehaviour = 'ok';
  const server = createServer((_request, response) => response.writeHead(404).end());
  const sockets = new WebSocketServer({ noServer: true });

  const turn = (
    ws: WebSocket,
    behaviour: FakeAzureBehaviour,
    request: FakeAzureRequest,
    id: string,
  ): void => {
    if (behaviour === 'stall') return;
    if (behaviour === 'invalid-ssml' || !isWellFormed(request.ssml)) {
      ws.close(1007, 'SSML is invalid');
      return;
    }
    // The SDK asks for raw PCM even when the app wants riff-* (it adds the header itself).
    const khz = /^raw-(\d+)khz-16bit-mono-pcm$/.exec(request.outputFormat ?? '')?.[1];
    if (!khz) return void ws.close(1007, `Unsupported output format ${request.outputFormat}`);
    const rate = Number(khz) * 1000;
    const spoken = renderSpeech(speechSegments(request.ssml), rate, options);
    request.words = spoken.words;
    if (behaviour === 'ok') request.audio = spoken.pcm;
    const streamId = randomUUID().replaceAll('-', '').toUpperCase();
    ws.send(textFrame('turn.start', id, '{"context":{"serviceTag":"fake"}}'));
    ws.send(textFrame('response', id, JSON.stringify({ audio: { type: 'inline', streamId } })));
    const chunkBytes = (rate / 10) * 2; // 100 ms per frame, as the service streams
    if (behaviour === 'endless' || behaviour === 'trickle') {
      const silence = Buffer.alloc(behaviour === 'endless' ? chunkBytes : 4);
      const every = behaviour === 'endless' ? 5 : 100;
      const timer = setInterval(() => ws.send(audioFrame(id, streamId, silence)), every);
      ws.on('close', () => clearInterval(timer));
      return;
    }
    if (behaviour === 'long-audio') spoken.pcm = Buffer.concat([spoken.pcm, Buffer.alloc(300 * rate * 2)]);
    if (behaviour === 'cut-short') {
      spoken.pcm = spoken.pcm.subarray(0, 2);
      spoken.words = [];
    }
    if (behaviour === 'hostile-words' || behaviour === 'many-words') {
      for (const data of hostileBoundaries(behaviour, spoken.words, spoken.totalMs)) {
        ws.send(
          textFrame(
            'audio.metadata',
            id,
            JSON.stringify({ Metadata: [{ Type: 'WordBoundary', Data: data }] }),
          ),
        );
      }
      spoken.words = [];
    }
    const chunks = Math.ceil(spoken.pcm.length / chunkBytes);
    let nextWord = 0;
    for (let i = 0; i < chunks; i++) {
      if (behaviour === 'drop-mid-synthesis' && i >= chunks / 2) return void ws.terminate();
      if (behaviour === 'malformed-metadata' && i === Math.min(1, chunks - 1))
        ws.send(textFrame('audio.metadata', id, '{"Metadata":[{'));
      const chunkEndTicks = (((i + 1) * chunkBytes) / 2 / rate) * 1000 * TICKS_PER_MS;
      for (; nextWord < spoken.words.length; nextWord++) {
        const word = spoken.words[nextWord] as FakeWord;
        if (word.offsetTicks >= chunkEndTicks) break;
        ws.send(textFrame('audio.metadata', id, wordBoundary(word)));
      }
      const pcm = spoken.pcm.subarray(i * chunkBytes, (i + 1) * chunkBytes);
      ws.send(audioFrame(id, streamId, pcm));
    }
    const end = { Type: 'SessionEnd', Data: { Offset: spoken.totalMs * TICKS_PER_MS } };
    ws.send(textFrame('audio.metadata', id, JSON.stringify({ Metadata: [end] })));
    ws.send(textFrame('turn.end', id, '{}'));
  };

  const serve = (ws: WebSocket, behaviour: FakeAzureBehaviour, key: string | undefined): void => {
    let outputFormat: string | undefined;
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return;
      const { headers, body } = parseTextFrame(data.toString());
      if (headers.path === 'synthesis.context')
        outputFormat = JSON.parse(body).synthesis?.audio?.outputFormat;
      if (headers.path !== 'ssml') return;
      const request: FakeAzureRequest = { ssml: body, headers, words: [], audio: Buffer.alloc(0) };
      if (key !== undefined) request.key = key;
      if (outputFormat !== undefined) request.outputFormat = outputFormat;
      requests.push(request);
      turn(ws, behaviour, request, headers['x-requestid'] ?? '');
    });
  };

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    connections++;
    const behaviour = behaviours.shift() ?? standing;
    const key = keyOf(request);
    const wrongKey = options.acceptKey !== undefined && key !== options.acceptKey;
    const rejection = wrongKey ? REJECTIONS['reject-401'] : REJECTIONS[behaviour];
    const path = new URL(request.url ?? '/', 'http://fake').pathname;
    if (rejection || path !== TTS_PATH) {
      socket.end(
        `HTTP/1.1 ${rejection ?? '404 Not Found'}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
      );
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => serve(ws, behaviour, key));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    requests,
    connectionCount: () => connections,
    setBehaviour(behaviour) {
      behaviours = Array.isArray(behaviour) ? [...behaviour] : [];
      standing = Array.isArray(behaviour) ? 'ok' : behaviour;
    },
    async close() {
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
