/**
 * Core's public types name the platform's AbortSignal. This declares the part of it they rely on, so they compile
 * in a consumer with the ES lib alone (no DOM lib, no @types/node); where the platform declares AbortSignal too,
 * the two declarations merge into one. Each port that names AbortSignal re-exports this module (it exports
 * nothing), so the declaration comes along with whichever port a consumer imports.
 */
declare global {
  interface AbortSignal {
    readonly aborted: boolean;
    // biome-ignore lint/suspicious/noExplicitAny: it must be declared as the platforms declare it, to merge with them
    readonly reason: any;
    throwIfAborted(): void;
    addEventListener(type: 'abort', listener: () => void, options?: { readonly once?: boolean }): void;
    removeEventListener(type: 'abort', listener: () => void): void;
  }
}

export {};
