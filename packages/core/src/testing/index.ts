export { type FaultKind, FaultInjector, InjectedPermanentError } from './fault-injector.js';
export {
  InMemoryCompactionRunRepository,
  type InMemoryCompactionRunRepositoryOptions,
} from './in-memory-compaction-run-repository.js';
export { VirtualClock, type VirtualClockRunOptions, VirtualClockStalledError } from './virtual-clock.js';
