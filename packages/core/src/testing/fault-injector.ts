import { TransientStoreError } from '../errors/transient-store-error.js';

export type FaultKind = 'transient' | 'permanent' | 'hang';

/** Raised by a fake for an injected permanent fault (as access denied or a validation error would be). */
export class InjectedPermanentError extends Error {
  override readonly name = 'InjectedPermanentError';
}

/**
 * A queue of faults for the next calls of one operation of a fake: `transient` throws TransientStoreError,
 * `permanent` throws InjectedPermanentError, `hang` never answers unless the call's signal aborts.
 */
export class FaultInjector {
  #faults: FaultKind[] = [];

  failNext(count: number, kind: FaultKind): void {
    for (let i = 0; i < count; i++) this.#faults.push(kind);
  }

  get pending(): number {
    return this.#faults.length;
  }

  /** Applies the next queued fault, if any, to a call made with `signal`. */
  async apply(operation: string, signal?: AbortSignal): Promise<void> {
    const fault = this.#faults.shift();
    if (fault === 'transient') throw new TransientStoreError(`injected transient fault in ${operation}`);
    if (fault === 'permanent') throw new InjectedPermanentError(`injected permanent fault in ${operation}`);
    if (fault === 'hang') {
      await new Promise<never>((_, reject) => {
        if (signal?.aborted) reject(signal.reason);
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    }
  }
}
