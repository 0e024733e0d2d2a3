export type * from './clock.js';
export type * from './compaction-gate.js';
export type * from './compaction-run-repository.js';
export type * from './label-repository.js';
export type * from './receipt-analyzer.js';
export type * from './receipt-metadata-repository.js';
export type * from './receipt-repository.js';
export type * from './telemetry.js';
