import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LAMBDA_FUNCTIONS } from './deployment.js';

describe('the deployment description', () => {
  it('names an existing entry point for every function', () => {
    for (const { entry } of Object.values(LAMBDA_FUNCTIONS)) {
      expect(existsSync(entry), entry).toBe(true);
      expect(entry).toMatch(/[/\\]src[/\\]entrypoints[/\\][a-z]+\.ts$/);
    }
  });
});
