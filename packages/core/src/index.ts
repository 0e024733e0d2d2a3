export * from './analyzer/index.js';
export * from './compaction/index.js';
export * from './domain/index.js';
export * from './errors/index.js';
export * from './gate/index.js';
export type * from './ports/index.js';
export * from './telemetry/index.js';
export * from './upload/index.js';
export * from './validation/index.js';
