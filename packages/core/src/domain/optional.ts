/** Drops keys whose value is undefined, so optional fields are absent rather than present-but-undefined. */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
