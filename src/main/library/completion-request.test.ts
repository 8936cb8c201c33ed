import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { buildCompletionRequest } from './completion-request.ts';
import { upsertKnowledge } from './knowledge.ts';
import { libraryErrorOf, tempDatabasePerTest } from './library.fixture.ts';
import { activatePromptVersion, createPromptVersion } from './prompts.ts';

const t = tempDatabasePerTest();

function seedPrompt(): void {
  upsertKnowledge(t.db, { slug: 'tone', tier: 'style', title: 'Tone', content: 'Warm and short.' });
  createPromptVersion(t.db, {
    slug: 'scene.script',
    systemPrompt: 'You are a narrator.\n\n{{knowledge}}',
    userTemplate: 'Title: {{ title }}\nBrief: {{brief}}',
    model: 'claude-model-a',
    maxTokens: 1200,
    temperature: 0.4,
    kbTiers: ['style'],
  });
}

describe('buildCompletionRequest', () => {
  it('renders the active prompt with the knowledge base injected as {{knowledge}}', () => {
    seedPrompt();
    expect(buildCompletionRequest(t.db, 'scene.script', { title: 'Bees', brief: 'Why they dance' })).toEqual({
      model: 'claude-model-a',
      system: 'You are a narrator.\n\n## Tone\n\nWarm and short.',
      user: 'Title: Bees\nBrief: Why they dance',
      maxTokens: 1200,
      temperature: 0.4,
      promptSlug: 'scene.script',
      promptVersion: 1,
    });
  });

  it('follows the active version, so a new version changes the request and its version', () => {
    seedPrompt();
    createPromptVersion(t.db, {
      slug: 'scene.script',
      systemPrompt: 'Plain.',
      userTemplate: '{{title}} / {{knowledge}}',
      model: 'claude-model-b',
      maxTokens: 50,
      temperature: 0,
      kbTiers: [],
      activate: true,
    });
    const request = buildCompletionRequest(t.db, 'scene.script', { title: 'Bees', brief: 'unused now' });
    expect(request).toMatchObject({
      model: 'claude-model-b',
      system: 'Plain.',
      user: 'Bees / ',
      promptVersion: 2,
    });
    activatePromptVersion(t.db, 'scene.script', 1);
    expect(buildCompletionRequest(t.db, 'scene.script', { title: 'B', brief: 'b' }).promptVersion).toBe(1);
  });

  it('names every missing variable of the system prompt and the user template together', () => {
    seedPrompt();
    createPromptVersion(t.db, {
      slug: 'scene.script',
      systemPrompt: 'Audience: {{audience}}',
      userTemplate: '{{title}} {{brief}} {{audience}}',
      model: 'm',
      maxTokens: 10,
      temperature: 0,
      kbTiers: [],
      activate: true,
    });
    const error = libraryErrorOf(() => buildCompletionRequest(t.db, 'scene.script', { brief: 'x' }));
    expect(error.kind).toBe('missing-variables');
    expect(error.issues.map((i) => i.field)).toEqual(['audience', 'title']);
    expect(error.message).toContain('prompt "scene.script" v2 needs variables: audience, title');
  });

  it('refuses a caller-supplied knowledge variable and an unknown prompt', () => {
    seedPrompt();
    const reserved = libraryErrorOf(() =>
      buildCompletionRequest(t.db, 'scene.script', { title: 't', brief: 'b', knowledge: 'mine' }),
    );
    expect(reserved.kind).toBe('invalid');
    expect(reserved.issues[0]?.field).toBe('knowledge');
    expect(libraryErrorOf(() => buildCompletionRequest(t.db, 'missing', {})).kind).toBe('not-found');
  });

  it('refuses a prompt row edited by hand to a token limit, model or temperature out of bounds, naming it', () => {
    seedPrompt();
    const cases: [string, RegExp][] = [
      ['max_tokens = 0', /maxTokens must be at least 1, not 0/],
      ['max_tokens = -5', /maxTokens must be at least 1, not -5/],
      ['max_tokens = 100000000', /maxTokens must be at most 200000, not 100000000/],
      // Found by attacking the Library: each of these was sent to the API as it stood.
      ["model = ''", /model must not be empty, not ""/],
      [`model = '${'m'.repeat(5000)}'`, /too big.*not "mmm/i],
      ['temperature = 1e308', /temperature must be 0..1, not 1e\+308/],
    ];
    for (const [change, message] of cases) {
      t.db.run(sql.raw('SAVEPOINT hand_edit'));
      t.db.run(sql.raw(`UPDATE prompts SET ${change} WHERE slug = 'scene.script'`));
      const refused = libraryErrorOf(() =>
        buildCompletionRequest(t.db, 'scene.script', { title: 't', brief: 'b' }),
      );
      expect(refused.kind, change.slice(0, 40)).toBe('invalid');
      expect(refused.message, change.slice(0, 40)).toMatch(/^prompt "scene\.script" v\d+: /);
      expect(refused.message, change.slice(0, 40)).toMatch(message);
      t.db.run(sql.raw('ROLLBACK TO hand_edit'));
      t.db.run(sql.raw('RELEASE hand_edit'));
    }
  });
});
