/**
 * Turns what the Speech SDK reports into AzureSpeechErrors. The SDK gives only text: a cancelled
 * result's errorDetails such as "Unable to contact server. StatusCode: 1006, <url> Reason: Unexpected
 * server response: 401" (the upgrade was refused with HTTP 401) or "<reason> websocket error code: 1007"
 * (the service closed the socket). These shapes were measured with SDK 1.52 and the `ws` client.
 */
import { AzureSpeechError, redactSecret } from './errors.ts';

/** Paths of the service's text messages whose bodies the SDK parses as JSON. */
const JSON_PATHS = new Set(['turn.start', 'response', 'audio.metadata']);
const MAX_DETAIL_CHARS = 300;

function tidy(text: string, key: string): string {
  const clean = redactSecret(text, key).replace(/\s+/g, ' ').trim();
  return clean.length > MAX_DETAIL_CHARS ? `${clean.slice(0, MAX_DETAIL_CHARS)}…` : clean;
}

function fromHttpStatus(status: number): AzureSpeechError {
  if (status === 401 || status === 403) {
    return new AzureSpeechError(
      'auth',
      `Azure Speech rejected the key or region (HTTP ${status}). Check the speech key and region in the settings.`,
    );
  }
  if (status === 429) {
    return new AzureSpeechError(
      'throttled',
      'Azure Speech is throttling requests (HTTP 429): too many requests for this subscription right now.',
    );
  }
  // The service's own trouble: tried again, and no setting of ours to blame.
  if (status >= 500) {
    return new AzureSpeechError('network', `Azure Speech answered with a server error (HTTP ${status}).`);
  }
  return new AzureSpeechError(
    'network',
    `Azure Speech refused the connection with HTTP ${status}. Check the region (or host) in the settings.`,
  );
}

/** Classifies the errorDetails of a cancelled synthesis (or an error the SDK passed to its callback). */
export function classifySdkFailure(details: string, key: string): AzureSpeechError {
  const text = tidy(details, key);
  const status = /Unexpected server response: (\d{3})/.exec(text)?.[1];
  if (status) return fromHttpStatus(Number(status));

  const closed = /^(.*?)\s*websocket error code: (\d+)/.exec(text);
  if (closed) {
    const reason = closed[1] ? `: ${closed[1]}` : '';
    if (closed[2] === '1007') {
      return new AzureSpeechError('invalid-ssml', `Azure Speech refused the SSML${reason}`);
    }
    return new AzureSpeechError(
      'network',
      `The connection to Azure Speech closed during synthesis (code ${closed[2]}${reason})`,
    );
  }

  const unreachable = /Unable to contact server\..*?Reason:\s*(.*)$/.exec(text);
  if (unreachable) {
    const reason = unreachable[1] ? `: ${unreachable[1]}` : '';
    return new AzureSpeechError('network', `Could not connect to Azure Speech${reason}`);
  }
  return new AzureSpeechError('network', `Azure Speech synthesis failed: ${text || 'no details given'}`);
}

/**
 * A service message the SDK would choke on. The SDK parses these bodies inside a loop that swallows
 * the exception and stops reading, so without this check the synthesis would simply never finish.
 */
export function malformedMessageProblem(path: string, body: string | undefined): string | undefined {
  const lowerPath = path.toLowerCase();
  if (!JSON_PATHS.has(lowerPath)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body ?? '');
  } catch {
    return `its "${lowerPath}" message is not valid JSON`;
  }
  if (lowerPath === 'audio.metadata') return metadataProblem(parsed);
  if (
    lowerPath === 'response' &&
    typeof (parsed as { audio?: { streamId?: unknown } } | null)?.audio?.streamId !== 'string'
  ) {
    return 'its "response" message names no audio stream';
  }
  return undefined;
}

interface MetadataEntry {
  Type?: unknown;
  Data?: { text?: { Text?: unknown } };
}

function metadataProblem(parsed: unknown): string | undefined {
  const entries = (parsed as { Metadata?: unknown } | null)?.Metadata;
  if (!Array.isArray(entries)) return 'its "audio.metadata" message has no Metadata list';
  for (const entry of entries as (MetadataEntry | null)[]) {
    const isBoundary = entry?.Type === 'WordBoundary' || entry?.Type === 'SentenceBoundary';
    if (isBoundary && typeof entry?.Data?.text?.Text !== 'string') {
      return 'a word boundary in its "audio.metadata" message has no text';
    }
  }
  return undefined;
}
