/** Runs tasks one at a time per key, in call order (a promise chain per key); different keys run concurrently. */
export class KeyedMutex<K> {
  readonly #tails = new Map<K, Promise<void>>();

  run<T>(key: K, task: () => Promise<T>): Promise<T> {
    const result = (this.#tails.get(key) ?? Promise.resolve()).then(task);
    // The chain goes on whether the task succeeds or fails; the caller sees its own outcome.
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}
