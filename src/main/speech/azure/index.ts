export {
  type AzureSpeech,
  type AzureSpeechOptions,
  type AzureSynthesis,
  abortableSleep,
  createAzureSpeech,
  retryDelayMs,
} from './azure-speech.ts';
export { AzureSpeechError, type AzureSpeechErrorKind, redactSecret } from './errors.ts';
export {
  type AzureNarration,
  type AzureNarrationInput,
  type AzureNarrationWord,
  synthesizeAzureNarration,
} from './narration.ts';
export { AZURE_OUTPUT } from './sdk.ts';
