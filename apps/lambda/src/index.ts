export { SystemClock } from './adapters/clock/system-clock.js';
