import { describe, expect, it } from 'vitest';
import { apiKeyProblem, apiKeysIn } from './api-key-setting.js';

const KEY = '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';

describe('apiKeyProblem', () => {
  it('accepts keys shaped like real ones', () => {
    expect(apiKeyProblem('LANGSMITH_API_KEY', KEY)).toBeUndefined();
    expect(apiKeyProblem('OLLAMA_API_KEY', 'ok+7d2e/9b4a=1c6f~8e3d.5b0a!2c4e*6f8a')).toBeUndefined();
  });

  it('refuses whitespace and control characters anywhere, naming the variable and showing nothing of the key', () => {
    const cases = [
      `${KEY.slice(0, 20)}\n${KEY.slice(20)}`,
      `${KEY}\n`,
      ` ${KEY}`,
      `${KEY.slice(0, 20)}\t${KEY.slice(20)}`,
      `${KEY}\u0000`,
      `${KEY}\u007f`,
      `${KEY}\u00a0`,
      `${KEY}\u2028`,
    ];
    for (const key of cases) {
      const problem = apiKeyProblem('LANGSMITH_API_KEY', key) ?? '';
      expect(problem, JSON.stringify(key)).toMatch(
        /^LANGSMITH_API_KEY contains whitespace or a control character.*\(the value is not shown\)$/,
      );
      for (let at = 0; at + 8 <= KEY.length; at++) expect(problem).not.toContain(KEY.slice(at, at + 8));
    }
  });

  it('refuses non-ASCII, quotes, backslashes and implausible lengths', () => {
    expect(apiKeyProblem('K', `${KEY}é`)).toMatch(/K must be visible ASCII characters only/);
    expect(apiKeyProblem('K', `${KEY}"`)).toMatch(/K must not contain quotes or backslashes/);
    expect(apiKeyProblem('K', `${KEY}\\`)).toMatch(/K must not contain quotes or backslashes/);
    expect(apiKeyProblem('K', 'short-key')).toBe(
      'K must be 16 to 1024 characters long, got 9 (the value is not shown)',
    );
    expect(apiKeyProblem('K', 'k'.repeat(1025))).toMatch(/got 1025/);
  });
});

describe('apiKeysIn', () => {
  it('lists the keys long enough to look for elsewhere, used or not', () => {
    expect(apiKeysIn({ OLLAMA_API_KEY: KEY, LANGSMITH_API_KEY: 'x', LANGCHAIN_API_KEY: undefined })).toEqual([
      KEY,
    ]);
  });
});
