import type { VectorFields } from '../ports/embedding-store.js';

/** Whether `metadata` already holds every field of `fields` with its value (lists compared item by item). */
export function holdsFields(metadata: VectorFields, fields: VectorFields): boolean {
  return Object.entries(fields).every(([key, value]) => {
    const current = metadata[key];
    if (Array.isArray(value) && Array.isArray(current)) {
      return value.length === current.length && value.every((item, i) => item === current[i]);
    }
    return current === value;
  });
}
