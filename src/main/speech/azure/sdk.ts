/**
 * The one place that loads the Azure Speech SDK and sets it up for Node.
 */
import * as sdk from 'microsoft-cognitiveservices-speech-sdk';
import { WebsocketMessageAdapter } from 'microsoft-cognitiveservices-speech-sdk/distrib/lib/src/common.browser/Exports.js';
import sdkPackage from 'microsoft-cognitiveservices-speech-sdk/package.json' with { type: 'json' };

// Node 22 has a global WebSocket, which the SDK prefers to the `ws` package. When the upgrade is
// answered with HTTP 401/403/429 that client fires 'error' but never 'close', so the SDK waits
// forever and the status is lost (measured with SDK 1.52 on Node 22.23). With `ws` the SDK reports
// "Unexpected server response: 401" and cancels, which classify.ts maps to a clear error.
WebsocketMessageAdapter.forceNpmWebSocket = true;

export { sdk };

/** The only format requested: PCM that can be joined sample-exactly with no re-encoding. */
export const AZURE_OUTPUT = {
  sdkFormat: sdk.SpeechSynthesisOutputFormat.Raw24Khz16BitMonoPcm,
  name: 'raw-24khz-16bit-mono-pcm',
  sampleRate: 24_000,
  channels: 1,
} as const;

export const SDK_VERSION: string = sdkPackage.version;

export type AzureEndpoint = { host: string } | { region: string };

/** Region names are lower-case letters and digits; anything else would change the host name. */
const REGION_PATTERN = /^[a-z][a-z0-9]{1,40}$/i;

/** The endpoint described by the options, or a reason why there is none (never mentions the key). */
export function endpointFrom(options: {
  host?: string;
  region?: string;
}): AzureEndpoint | { problem: string } {
  if (options.host) {
    let url: URL;
    try {
      url = new URL(options.host);
    } catch {
      return { problem: `The Azure Speech host "${options.host}" is not a valid URL` };
    }
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
      return { problem: `The Azure Speech host must be a ws:// or wss:// URL, got "${url.protocol}//…"` };
    }
    return { host: `${url.protocol}//${url.host}` };
  }
  if (!options.region) return { problem: 'Azure Speech needs a region (for example "westeurope")' };
  if (!REGION_PATTERN.test(options.region)) {
    return { problem: `"${options.region}" is not an Azure region name (for example "westeurope")` };
  }
  return { region: options.region };
}

export function speechConfigFor(endpoint: AzureEndpoint, key: string): sdk.SpeechConfig {
  const config =
    'host' in endpoint
      ? sdk.SpeechConfig.fromHost(new URL(endpoint.host), key)
      : sdk.SpeechConfig.fromSubscription(key, endpoint.region);
  config.speechSynthesisOutputFormat = AZURE_OUTPUT.sdkFormat;
  // Captions need words only; punctuation boundaries would have to be filtered out again.
  config.setProperty(sdk.PropertyId.SpeechServiceResponse_RequestPunctuationBoundary, 'false');
  return config;
}
