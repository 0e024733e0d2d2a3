import { describe, expect, it } from 'vitest';
import { parseUuid } from '../../domain/ids.js';
import { contractIds } from './contract-ids.js';

describe('contractIds', () => {
  it('makes valid, distinct version 4 UUIDs', () => {
    const ids = contractIds('scope');
    const made = Array.from({ length: 1000 }, () => ids.uuid());
    for (const id of made) expect(parseUuid('id', id)).toBe(id);
    expect(made.every((id) => id.charAt(14) === '4')).toBe(true);
    expect(new Set(made).size).toBe(made.length);
  });

  it('repeats a sequence for the same scope and seed, and varies it with either', () => {
    const first = (scope: string, seed?: number) => contractIds(scope, seed).uuid();
    expect(first('labels:x')).toBe(first('labels:x'));
    expect(first('labels:x')).not.toBe(first('labels:y'));
    expect(first('labels:x', 1)).not.toBe(first('labels:x', 2));
  });
});
