export { NOOP_TELEMETRY } from './noop-telemetry.js';
export { seedLogLine } from './seed-log-line.js';
