import type { Telemetry } from '../ports/telemetry.js';

/** Telemetry that records nothing, for callers that do not observe. */
export const NOOP_TELEMETRY: Telemetry = {
  event: () => {},
  metric: () => {},
};
