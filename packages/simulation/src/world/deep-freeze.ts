/**
 * Freezes a JSON-like value and everything in it. Events handed to handlers are frozen instead of copied per
 * invocation: a handler that mutated its event would throw at once (modules are strict), rather than change what a
 * retry receives, and no copy is made per delivery.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const field of Object.values(value)) deepFreeze(field);
  return Object.freeze(value);
}
