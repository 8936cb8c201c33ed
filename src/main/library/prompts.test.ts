import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { prompts } from '../db/schema.ts';
import { fieldsOf, libraryErrorOf, tempDatabasePerTest } from './library.fixture.ts';
import {
  activatePromptVersion,
  createPromptVersion,
  getPromptOrThrow,
  listPrompts,
  listPromptVersions,
  type PromptVersionInput,
} from './prompts.ts';

const t = tempDatabasePerTest();

const base: PromptVersionInput = {
  slug: 'narration.script',
  systemPrompt: 'You write narration. {{ knowledge }}',
  userTemplate: 'Write about {{topic}}.',
  model: 'claude-sonnet-5-5',
  maxTokens: 4000,
  temperature: 0.7,
  kbTiers: ['house-style'],
};

function activeVersions(slug: string): number[] {
  return t.db
    .select({ version: prompts.version })
    .from(prompts)
    .where(and(eq(prompts.slug, slug), eq(prompts.isActive, true)))
    .all()
    .map((r) => r.version);
}

describe('prompt versions', () => {
  it('numbers versions per slug and activates only the first one by default', () => {
    const first = createPromptVersion(t.db, base);
    const second = createPromptVersion(t.db, { ...base, userTemplate: 'Now about {{topic}}!' });
    const other = createPromptVersion(t.db, { ...base, slug: 'other' });
    expect([first.version, second.version, other.version]).toEqual([1, 2, 1]);
    expect([first.isActive, second.isActive, other.isActive]).toEqual([true, false, true]);
    expect(getPromptOrThrow(t.db, base.slug).version).toBe(1);
    expect(second.kbTiers).toEqual(['house-style']);
  });

  it('activating a version switches what getPromptOrThrow returns, one active at a time', () => {
    createPromptVersion(t.db, base);
    createPromptVersion(t.db, { ...base, model: 'model-two' });
    createPromptVersion(t.db, { ...base, model: 'model-three', activate: true });
    expect(activeVersions(base.slug)).toEqual([3]);
    expect(getPromptOrThrow(t.db, base.slug).model).toBe('model-three');

    expect(activatePromptVersion(t.db, base.slug, 2).model).toBe('model-two');
    expect(getPromptOrThrow(t.db, base.slug).version).toBe(2);
    expect(activeVersions(base.slug)).toEqual([2]);
  });

  it('never modifies old versions', () => {
    const first = createPromptVersion(t.db, base);
    createPromptVersion(t.db, { ...base, systemPrompt: 'changed', activate: true });
    const [stored] = listPromptVersions(t.db, base.slug);
    expect(stored).toEqual({ ...first, isActive: false });
  });

  it('rejects activating a version that does not exist and keeps the active one', () => {
    createPromptVersion(t.db, base);
    const error = libraryErrorOf(() => activatePromptVersion(t.db, base.slug, 7));
    expect(error.kind).toBe('not-found');
    expect(error.message).toContain('"narration.script" has no version 7');
    expect(activeVersions(base.slug)).toEqual([1]);
  });

  it('says which prompt is unknown, and when a prompt has only drafts', () => {
    const unknown = libraryErrorOf(() => getPromptOrThrow(t.db, 'nope.prompt'));
    expect(unknown.kind).toBe('not-found');
    expect(unknown.message).toContain('"nope.prompt"');
    createPromptVersion(t.db, { ...base, activate: false });
    expect(libraryErrorOf(() => getPromptOrThrow(t.db, base.slug)).message).toContain(
      'has no active version',
    );
  });

  it('lists each prompt with its latest and active versions, and a prompt history oldest first', () => {
    createPromptVersion(t.db, base);
    createPromptVersion(t.db, { ...base, temperature: 0.2 });
    createPromptVersion(t.db, { ...base, slug: 'a.first' });
    const summaries = listPrompts(t.db);
    expect(summaries.map((s) => [s.slug, s.latest.version, s.active?.version, s.versionCount])).toEqual([
      ['a.first', 1, 1, 1],
      ['narration.script', 2, 1, 2],
      ['script.writer', 1, 1, 1],
    ]);
    expect(listPromptVersions(t.db, base.slug).map((p) => p.version)).toEqual([1, 2]);
    expect(listPromptVersions(t.db, 'nope')).toEqual([]);
  });
});

describe('prompt validation', () => {
  it.each([
    ['slug', { slug: 'Has Spaces' }],
    ['slug', { slug: '' }],
    ['model', { model: '  ' }],
    ['maxTokens', { maxTokens: 0 }],
    ['maxTokens', { maxTokens: 200_001 }],
    ['maxTokens', { maxTokens: 10.5 }],
    ['temperature', { temperature: -0.1 }],
    ['temperature', { temperature: 1.01 }],
    ['userTemplate', { userTemplate: 'about {{the topic}}' }],
    ['userTemplate', { userTemplate: '   ' }],
    ['systemPrompt', { systemPrompt: 'unclosed {{knowledge' }],
    ['kbTiers.0', { kbTiers: ['Not A Tier'] }],
    ['kbTiers', { kbTiers: ['a', 'a'] }],
    ['unknownField', { unknownField: 1 }],
  ])('rejects a bad %s', (field, change) => {
    const fields = fieldsOf(() => createPromptVersion(t.db, { ...base, ...change } as PromptVersionInput));
    // A strict object reports an unknown key on the object itself, naming the key in the message.
    expect(fields).toEqual([field === 'unknownField' ? '(input)' : field]);
    expect(listPromptVersions(t.db, base.slug)).toEqual([]);
  });

  it('lists every problem of an input at once', () => {
    const error = libraryErrorOf(() =>
      createPromptVersion(t.db, { ...base, model: '', maxTokens: -1, temperature: 2 }),
    );
    expect(error.issues.map((i) => i.field)).toEqual(['model', 'maxTokens', 'temperature']);
    expect(error.message).toMatch(/^invalid prompt "narration.script": model: .*maxTokens: .*temperature: /);
  });
});
