import type { ScriptDocument, Utterance } from './types.ts';

/** Every sentence a script speaks, in order: what the narration says and the captions show. */
export function* utterancesOf(document: ScriptDocument): Generator<Utterance> {
  for (const scene of document.scenes) {
    for (const item of scene.items) if (item.kind === 'speech') yield item;
  }
}
