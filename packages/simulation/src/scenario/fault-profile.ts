/** How often each fault is injected: per store call, per invocation, per batch, or planned per receipt. */
export interface FaultProfile {
  readonly name: FaultProfileName;
  /** Per store call. */
  readonly store: {
    /** TransientStoreError before the call takes effect (a timeout, a dropped connection). */
    readonly transient: number;
    /** An error that is not transient (access denied, a validation error) before the call takes effect. */
    readonly permanent: number;
    /** A write that takes effect but whose answer is lost: the caller sees a TransientStoreError. */
    readonly ambiguousWrite: number;
    /** A read that never answers until the caller's signal aborts it (only reads that take a signal). */
    readonly hangingRead: number;
    /** A call taking `slowMs`, far more than usual. */
    readonly slow: number;
  };
  /** Latency of a store call: none at most calls, else up to `maxMs`; a slow one up to `slowMs`. */
  readonly latency: { readonly chance: number; readonly maxMs: number; readonly slowMs: number };
  /** Windows in which every table call of one system is throttled, per hour of arrivals. */
  readonly throttleWindowsPerHour: number;
  /** A handler invocation whose process dies after one of its writes (or before the first). */
  readonly crash: number;
  /** A stream batch delivered twice. */
  readonly redelivery: number;
  /** Planned per receipt. */
  readonly receipt: {
    /** One collection's delta object is lost: its compaction FAILS. */
    readonly lostDelta: number;
    /** The merges take longer than the gate's whole wait budget. */
    readonly slowMerge: number;
    /** The upload is sent again, at once (racing the first) or later. */
    readonly duplicateUpload: number;
    /** A person decides labels of the receipt (1 to 3 decisions) at any moment. */
    readonly personDecisions: number;
    /** Another service changes the receipt's merchant record at any moment. */
    readonly merchantChange: number;
    /** The analyzer fails on its first analysis of the receipt. */
    readonly analyzerFailure: number;
    /** The analyzer's first analysis of the receipt runs past the validation's deadline, ignoring its signal. */
    readonly analyzerOverrun: number;
  };
}

export const FAULT_PROFILE_NAMES = ['none', 'standard', 'heavy'] as const;
export type FaultProfileName = (typeof FAULT_PROFILE_NAMES)[number];

const NONE: FaultProfile = {
  name: 'none',
  store: { transient: 0, permanent: 0, ambiguousWrite: 0, hangingRead: 0, slow: 0 },
  latency: { chance: 0.3, maxMs: 40, slowMs: 0 },
  throttleWindowsPerHour: 0,
  crash: 0,
  redelivery: 0,
  receipt: {
    lostDelta: 0,
    slowMerge: 0,
    duplicateUpload: 0,
    personDecisions: 0,
    merchantChange: 0,
    analyzerFailure: 0,
    analyzerOverrun: 0,
  },
};

/**
 * Rates are set so that a correct pipeline always gets through within its retry budgets (the validation's
 * mapping retries a record 3 times, the client an upload 8 times): a violation then means a bug, not bad luck.
 */
export const FAULT_PROFILES: Readonly<Record<FaultProfileName, FaultProfile>> = {
  none: NONE,
  standard: {
    name: 'standard',
    store: { transient: 0.01, permanent: 0.001, ambiguousWrite: 0.005, hangingRead: 0.01, slow: 0.005 },
    latency: { chance: 0.3, maxMs: 40, slowMs: 1_500 },
    throttleWindowsPerHour: 2,
    crash: 0.02,
    redelivery: 0.02,
    receipt: {
      lostDelta: 0.01,
      slowMerge: 0.01,
      duplicateUpload: 0.03,
      personDecisions: 0.1,
      merchantChange: 0.03,
      analyzerFailure: 0.01,
      analyzerOverrun: 0.01,
    },
  },
  heavy: {
    name: 'heavy',
    store: { transient: 0.04, permanent: 0.003, ambiguousWrite: 0.02, hangingRead: 0.03, slow: 0.02 },
    latency: { chance: 0.5, maxMs: 80, slowMs: 1_500 },
    throttleWindowsPerHour: 10,
    crash: 0.06,
    redelivery: 0.1,
    receipt: {
      lostDelta: 0.05,
      slowMerge: 0.05,
      duplicateUpload: 0.1,
      personDecisions: 0.3,
      merchantChange: 0.1,
      analyzerFailure: 0.05,
      analyzerOverrun: 0.05,
    },
  },
};

export function faultProfile(name: string): FaultProfile {
  if (!(FAULT_PROFILE_NAMES as readonly string[]).includes(name)) {
    throw new RangeError(`unknown fault profile "${name}": one of ${FAULT_PROFILE_NAMES.join(', ')}`);
  }
  return FAULT_PROFILES[name as FaultProfileName];
}
