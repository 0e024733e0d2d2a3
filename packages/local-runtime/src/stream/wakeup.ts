/** Lets the loops of one shard sleep until another makes progress, a timeout passes or the pump stops. */
export class Wakeup {
  private readonly waiters = new Set<() => void>();

  /** Wakes every loop waiting now. */
  notify(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /** Resolves on the next `notify`, after `ms` (never when undefined), or on abort; clears its timer either way. */
  async wait(ms: number | undefined, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', wake);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = ms === undefined ? undefined : setTimeout(wake, Math.max(0, ms));
      this.waiters.add(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }
}
