import { describe, expect, it } from 'vitest';
import { deleteKnowledge, getKnowledgeBase, listKnowledge, upsertKnowledge } from './knowledge.ts';
import { fieldsOf, tempDatabasePerTest } from './library.fixture.ts';

const t = tempDatabasePerTest();

function seedEntries(): void {
  upsertKnowledge(t.db, { slug: 'voice-b', tier: 'style', title: 'Voice B', content: 'Be brief.' });
  upsertKnowledge(t.db, { slug: 'voice-a', tier: 'style', title: 'Voice A', content: 'Be warm.' });
  upsertKnowledge(t.db, { slug: 'bees', tier: 'facts', title: 'Bees', content: 'Bees dance.' });
  upsertKnowledge(t.db, { slug: 'ants', tier: 'other', title: 'Ants', content: 'Not asked for.' });
}

describe('knowledge base', () => {
  it('formats the entries of the asked tiers in the order of the tiers, then by slug', () => {
    seedEntries();
    // "style" is asked first although "facts" sorts first: the prompt's order wins.
    expect(getKnowledgeBase(t.db, ['style', 'facts'])).toBe(
      '## Voice A\n\nBe warm.\n\n## Voice B\n\nBe brief.\n\n## Bees\n\nBees dance.',
    );
    expect(getKnowledgeBase(t.db, ['facts', 'style', 'facts'])).toMatch(
      /^## Bees\n\nBees dance\.\n\n## Voice A/,
    );
  });

  it('is empty for no tiers or tiers without entries', () => {
    seedEntries();
    expect(getKnowledgeBase(t.db, [])).toBe('');
    expect(getKnowledgeBase(t.db, ['nothing-here'])).toBe('');
  });

  it('updates an entry by slug, keeps its id, and lists by tier', () => {
    const created = upsertKnowledge(t.db, { slug: 'bees', tier: 'facts', title: 'Bees', content: 'Old.' });
    const updated = upsertKnowledge(t.db, { slug: 'bees', tier: 'science', title: 'Bees!', content: 'New.' });
    expect(updated).toMatchObject({ id: created.id, tier: 'science', title: 'Bees!', content: 'New.' });
    expect(listKnowledge(t.db, 'facts')).toEqual([]);
    expect(listKnowledge(t.db, 'science').map((k) => k.slug)).toEqual(['bees']);
    expect(deleteKnowledge(t.db, 'bees')).toBe(true);
    expect(deleteKnowledge(t.db, 'bees')).toBe(false);
  });

  it.each([
    ['slug', { slug: 'No Spaces' }],
    ['tier', { tier: 'Tier One' }],
    ['title', { title: ' ' }],
    ['content', { content: '\n' }],
  ])('rejects a bad %s', (field, change) => {
    const entry = { slug: 'bees', tier: 'facts', title: 'Bees', content: 'Bees dance.', ...change };
    expect(fieldsOf(() => upsertKnowledge(t.db, entry))).toEqual([field]);
    expect(listKnowledge(t.db).filter((k) => k.slug === 'bees')).toEqual([]);
  });
});
