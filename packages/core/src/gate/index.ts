export {
  type BackoffPolicy,
  type GatePolicy,
  pollInterval,
  resolveGatePolicy,
  SEED_GATE_POLICY,
} from './gate-policy.js';
export { PollingCompactionGate, type PollingCompactionGateDeps } from './polling-compaction-gate.js';
