import { describe, expect, it } from 'vitest';
import {
  listOf,
  messagesFor,
  nullableNumber,
  numberOrText,
  pairsOf,
  pairsText,
  unplacedMessages,
} from './form-values.ts';

describe('form values', () => {
  it('turns numbers into numbers and leaves the rest for the node to name', () => {
    expect(numberOrText(' 42 ')).toBe(42);
    expect(numberOrText('4x')).toBe('4x');
    expect(numberOrText('')).toBe('');
    expect(nullableNumber('  ')).toBeNull();
    expect(nullableNumber('0.5')).toBe(0.5);
  });

  it('reads lists and synthesizer = voice lines', () => {
    expect(listOf('libx264, h264_videotoolbox ,')).toEqual(['libx264', 'h264_videotoolbox']);
    const pairs = pairsOf('espeak-ng = en-us+f3\nsay=Samantha\nnonsense');
    expect(pairs).toEqual({ 'espeak-ng': 'en-us+f3', say: 'Samantha' });
    expect(pairsOf(pairsText(pairs))).toEqual(pairs);
  });

  it('places issues on their field, nested ones included, and keeps the rest', () => {
    const issues = [
      { field: 'prosody.rate', message: 'bad rate' },
      { field: 'crf', message: 'crf must be 0..51' },
      { field: '(input)', message: 'whole thing' },
    ];
    expect(messagesFor(issues, 'prosody')).toEqual(['bad rate']);
    expect(messagesFor(issues, 'crf')).toEqual(['crf must be 0..51']);
    expect(unplacedMessages(issues, ['prosody', 'crf'])).toEqual(['whole thing']);
  });
});
