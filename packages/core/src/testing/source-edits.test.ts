import { describe, expect, it } from 'vitest';
import { applyEdits } from './source-edits.js';

describe('applyEdits', () => {
  it('applies each edit in turn, taking the replacement literally', () => {
    const edits = [
      { find: 'a < b', replace: 'a <= b' },
      { find: 'return x;', replace: "return '$&';" },
    ];
    expect(applyEdits('f.ts', 'if (a < b) return x;', edits)).toBe("if (a <= b) return '$&';");
  });

  it.each([
    ['missing', 'if (a) {}', 0],
    ['repeated', 'b(); b();', 2],
  ])('refuses an edit whose text is %s, naming the file and the count', (_, source, count) => {
    expect(() => applyEdits('f.ts', source, [{ find: 'b()', replace: 'c()' }])).toThrow(
      `mutant of f.ts: expected "b()" exactly once, found it ${count} times`,
    );
  });
});
