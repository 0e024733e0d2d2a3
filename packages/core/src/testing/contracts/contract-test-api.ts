/**
 * The part of a test framework the contract suites use, injected so that core imports no test framework.
 * Vitest's `{ describe, it, expect }` fits as it is.
 */
export interface ContractTestApi {
  describe(name: string, fn: () => void): void;
  it(name: string, fn: () => Promise<void>): void;
  expect: ContractExpect;
}

export type ContractExpect = (actual: unknown) => ContractAssertion;

export interface ContractAssertion {
  toEqual(expected: unknown): void;
  toBe(expected: unknown): void;
  toBeUndefined(): void;
  toHaveLength(length: number): void;
  readonly rejects: {
    toBeInstanceOf(expected: abstract new (...args: never[]) => unknown): Promise<void>;
    toBe(expected: unknown): Promise<void>;
  };
}

export interface ContractOptions {
  /**
   * Varies the ids the suite generates. Ids are deterministic per suite name, so against a table that outlives
   * one test run pass a different seed each run (e.g. the start time).
   */
  readonly idSeed?: number;
}
