import { describe, expect, it } from 'vitest';
import { classifySdkFailure, malformedMessageProblem } from './classify.ts';
import { redactSecret } from './errors.ts';

const KEY = '0a1b2c3d4e5f/SECRET+key=';
// The connection URL as the SDK builds it: the key rides in the query string.
const URL_WITH_KEY = `wss://westeurope.tts.speech.microsoft.com/cognitiveservices/websocket/v1?Ocp-Apim-Subscription-Key=${encodeURIComponent(KEY)}&X-ConnectionId=42`;

describe('classifySdkFailure', () => {
  const refused = (reason: string) =>
    `Unable to contact server. StatusCode: 1006,\n  ${URL_WITH_KEY} Reason:  ${reason}`;
  it.each([
    ['HTTP 401', refused('Unexpected server response: 401'), 'auth'],
    ['HTTP 403', refused('Unexpected server response: 403'), 'auth'],
    ['HTTP 429', refused('Unexpected server response: 429'), 'throttled'],
    ['HTTP 503', refused('Unexpected server response: 503'), 'network'],
    ['refused', refused('connect ECONNREFUSED 10.0.0.1:443'), 'network'],
    ['close 1007', 'SSML is invalid websocket error code: 1007', 'invalid-ssml'],
    ['close 1006', ' websocket error code: 1006', 'network'],
    ['close 1011', 'Internal error websocket error code: 1011', 'network'],
    ['unknown', `something new ${KEY}`, 'network'],
  ])('%s → %s, with no key in the message', (_label, details, kind) => {
    const error = classifySdkFailure(details, KEY);
    expect(error.kind).toBe(kind);
    expect(error.message).not.toContain(KEY);
    expect(error.message).not.toContain(encodeURIComponent(KEY));
  });

  it('keeps the reason the service gave', () => {
    expect(
      classifySdkFailure('[express-as] element is not allowed websocket error code: 1007', KEY).message,
    ).toBe('Azure Speech refused the SSML: [express-as] element is not allowed');
    expect(classifySdkFailure(refused('getaddrinfo ENOTFOUND x'), KEY).message).toBe(
      'Could not connect to Azure Speech: getaddrinfo ENOTFOUND x',
    );
    // A server error blames no setting of ours (it said "Check the region").
    expect(classifySdkFailure(refused('Unexpected server response: 500'), KEY).message).toBe(
      'Azure Speech answered with a server error (HTTP 500).',
    );
  });
});

describe('redactSecret', () => {
  it('removes the key, raw or URL-encoded, and any subscription key or bearer token', () => {
    const text = `${KEY} ${URL_WITH_KEY} Ocp-Apim-Subscription-Key: other Authorization: Bearer tok.en`;
    const clean = redactSecret(text, KEY);
    expect(clean).not.toContain(KEY);
    expect(clean).not.toContain(encodeURIComponent(KEY));
    expect(clean).not.toMatch(/other|tok\.en/);
    expect(clean).toContain('X-ConnectionId=42');
  });
});

describe('malformedMessageProblem', () => {
  it('accepts what the service sends and flags what would stall the SDK', () => {
    const word = { Type: 'WordBoundary', Data: { Offset: 1, Duration: 2, text: { Text: 'hi', Length: 2 } } };
    expect(malformedMessageProblem('audio.metadata', JSON.stringify({ Metadata: [word] }))).toBeUndefined();
    expect(
      malformedMessageProblem('response', '{"audio":{"type":"inline","streamId":"AB"}}'),
    ).toBeUndefined();
    expect(malformedMessageProblem('turn.end', '')).toBeUndefined();
    expect(malformedMessageProblem('audio.metadata', '{"Metadata":[{')).toMatch(/not valid JSON/);
    expect(malformedMessageProblem('Audio.Metadata', '{}')).toMatch(/no Metadata list/);
    expect(
      malformedMessageProblem('audio.metadata', '{"Metadata":[{"Type":"WordBoundary","Data":{}}]}'),
    ).toMatch(/no text/);
    expect(malformedMessageProblem('response', '{"context":{}}')).toMatch(/no audio stream/);
    expect(malformedMessageProblem('turn.start', 'nope')).toMatch(/turn.start/);
  });
});
