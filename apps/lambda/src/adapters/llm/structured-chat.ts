import type { z } from 'zod';

export interface StructuredChatRequest<T> {
  /** What the call is for (the schema's title), for errors and telemetry. */
  readonly purpose: string;
  /** The instructions. */
  readonly system: string;
  /** The data (quoted, untrusted). */
  readonly user: string;
  /** Sent as the JSON schema of the reply, and used to validate it. */
  readonly schema: z.ZodType<T>;
  readonly signal?: AbortSignal;
  /** Epoch ms: caps every attempt and every wait between attempts. */
  readonly deadlineAt?: number;
}

/** A chat model asked for a reply of a given shape; the reply is validated before it is returned. */
export interface StructuredChat {
  complete<T>(request: StructuredChatRequest<T>): Promise<T>;
}
