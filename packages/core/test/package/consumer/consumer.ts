// A service that installed @receipt-gate/core from its tarball: the gate on a virtual clock, an in-memory fake of
// a port, and that port's contract suite run by a test API of a few lines (no test framework installed).
import {
  type CompactionRunKey,
  type GateResult,
  newCompactionRun,
  PollingCompactionGate,
} from '@receipt-gate/core';
import {
  type ContractAssertion,
  type ContractTestApi,
  compactionRunRepositoryContract,
  InMemoryCompactionRunRepository,
  VirtualClock,
} from '@receipt-gate/core/testing';

declare const console: { log(...values: unknown[]): void };

const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : 1)))
      : inner,
  );

function assertion(actual: unknown): ContractAssertion {
  const fail = (what: string) => {
    throw new Error(`expected ${canonical(actual)} ${what}`);
  };
  return {
    toEqual: (expected) =>
      canonical(actual) === canonical(expected) ? undefined : fail(`to equal ${canonical(expected)}`),
    toBe: (expected) => (Object.is(actual, expected) ? undefined : fail(`to be ${canonical(expected)}`)),
    toBeUndefined: () => (actual === undefined ? undefined : fail('to be undefined')),
    toHaveLength: (length) =>
      (actual as { length?: number } | null)?.length === length
        ? undefined
        : fail(`to have length ${length}`),
    rejects: {
      async toBeInstanceOf(expected) {
        try {
          await actual;
        } catch (error) {
          if (error instanceof expected) return;
          throw new Error(`rejected with ${String(error)}, not an instance of ${expected.name}`);
        }
        throw new Error(`resolved, expected a rejection with ${expected.name}`);
      },
      async toBe(expected) {
        try {
          await actual;
        } catch (error) {
          if (Object.is(error, expected)) return;
          throw new Error(`rejected with ${String(error)}, not with ${String(expected)}`);
        }
        throw new Error(`resolved, expected a rejection with ${String(expected)}`);
      },
    },
  };
}

const tests: { name: string; run: () => Promise<void> }[] = [];
const prefixes: string[] = [];
const api: ContractTestApi = {
  describe: (name, define) => {
    prefixes.push(name);
    define();
    prefixes.pop();
  },
  it: (name, run) => {
    tests.push({ name: [...prefixes, name].join(' > '), run });
  },
  expect: assertion,
};

async function gateExample(): Promise<GateResult> {
  const clock = new VirtualClock();
  const runs = new InMemoryCompactionRunRepository();
  const key: CompactionRunKey = {
    imageId: '3f2c9a4e-8b1d-4c6e-9f0a-2b7d5e1c8a93',
    receiptId: 1,
    runId: '6d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6',
  };
  await runs.createCompactionRun(
    newCompactionRun({
      ...key,
      linesDeltaPrefix: `lines/delta/${key.runId}/`,
      wordsDeltaPrefix: `words/delta/${key.runId}/`,
      createdAt: new Date(clock.now()).toISOString(),
    }),
  );
  const gate = new PollingCompactionGate({ runs, clock }, { pollIntervalMs: 2_000, maxWaitMs: 120_000 });
  const waiting = gate.waitForCompaction(key);
  await clock.advance(5_000);
  for (const collection of ['lines', 'words'] as const) {
    const at = new Date(clock.now()).toISOString();
    await runs.transitionCollection(key, collection, { to: 'PROCESSING', at });
    await runs.transitionCollection(key, collection, { to: 'COMPLETED', at, mergedVectors: 3 });
  }
  return clock.run(waiting);
}

const result = await gateExample();
if (result.outcome !== 'completed' || result.polls !== 4 || result.waitedMs !== 6_000) {
  throw new Error(`unexpected gate result ${canonical(result)}`);
}
console.log(`gate: ${result.outcome} after ${result.waitedMs} ms of virtual time, ${result.polls} reads`);

compactionRunRepositoryContract(api, 'InMemoryCompactionRunRepository', async () => ({
  runs: new InMemoryCompactionRunRepository(),
}));
for (const test of tests) await test.run();
console.log(`contract: ${tests.length} passed`);
