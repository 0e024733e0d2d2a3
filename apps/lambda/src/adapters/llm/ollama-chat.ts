import { NOOP_TELEMETRY, type Telemetry } from '@receipt-gate/core';
import { type ChatResponse, Ollama } from 'ollama';
import { z } from 'zod';
import { SystemClock } from '../clock/system-clock.js';
import { redactingFetch } from '../secrets/redacting-fetch.js';
import { LlmCallError } from './llm-call-error.js';
import type { OllamaConfig } from './ollama-config.js';
import { Semaphore } from './semaphore.js';
import type { StructuredChat, StructuredChatRequest } from './structured-chat.js';

export interface Backoff {
  readonly baseMs: number;
  readonly maxMs: number;
}

export interface OllamaChatOptions {
  /** Counts `LlmCalls` (every HTTP attempt) and `LlmRetries`. */
  readonly telemetry?: Telemetry;
  /** Before retry n: a random delay in [cap/2, cap], cap = min(maxMs, baseMs * 2^(n-1)). */
  readonly backoff?: Backoff;
  readonly random?: () => number;
  readonly fetch?: typeof fetch;
}

const DEFAULT_BACKOFF: Backoff = { baseMs: 500, maxMs: 8_000 };
// setTimeout fires at once beyond this; a deadline further away needs no timer.
const MAX_TIMER_MS = 2 ** 31 - 1;
const MAX_DETAIL_CHARS = 300;
// Ollama's default context (2k-4k tokens by version) silently drops the start of a longer prompt, instructions
// first; this fits the largest receipt prompt (see MAX_RECEIPT_CHARS) with its reply.
const CONTEXT_TOKENS = 8_192;
const clock = new SystemClock();

/**
 * Structured chat with Ollama through the `ollama` client (`/api/chat`, not streamed): the reply's JSON schema
 * is sent as `format` and the reply is validated with the same zod schema. Each HTTP attempt is bounded by the
 * configured timeout (the client takes no signal for unstreamed calls, so each attempt gets a fetch bound to
 * its own signal); transient failures are retried with exponential backoff and jitter; all calls made through
 * one instance share a bound on concurrency; the request's deadline ends every attempt and every wait, and its
 * signal aborts everything. Errors and replies are scrubbed of the API key.
 */
export class OllamaChat implements StructuredChat {
  readonly #config: OllamaConfig;
  readonly #slots: Semaphore;
  readonly #telemetry: Telemetry;
  readonly #backoff: Backoff;
  readonly #random: () => number;
  readonly #fetch: typeof fetch;

  constructor(config: OllamaConfig, options: OllamaChatOptions = {}) {
    this.#config = config;
    this.#slots = new Semaphore(config.maxConcurrency);
    this.#telemetry = options.telemetry ?? NOOP_TELEMETRY;
    this.#backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.#random = options.random ?? Math.random;
    this.#fetch = options.fetch ?? fetch;
  }

  async complete<T>(request: StructuredChatRequest<T>): Promise<T> {
    const format = z.toJSONSchema(request.schema);
    const scope = callScope(request);
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.#attempt(request, format, scope.signal);
        } catch (error) {
          if (scope.signal.aborted) throw scope.signal.reason;
          if (!this.#retriable(error, attempt)) throw error;
          const delay = this.#backoffDelay(attempt);
          // A retry that could only start after the deadline is not worth the wait.
          if (Date.now() + delay >= (request.deadlineAt ?? Number.POSITIVE_INFINITY)) {
            throw new LlmCallError(
              'deadline',
              `${request.purpose}: no time left to retry before the deadline (${error.message})`,
              false,
            );
          }
          this.#telemetry.metric('LlmRetries', 1, 'Count');
          await clock.sleep(delay, scope.signal);
        }
      }
    } finally {
      scope.dispose();
    }
  }

  async #attempt<T>(request: StructuredChatRequest<T>, format: object, scope: AbortSignal): Promise<T> {
    const release = await this.#slots.acquire(scope);
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.#config.timeoutMs);
    const signal = AbortSignal.any([scope, timeout.signal]);
    let reply: ChatResponse;
    try {
      this.#telemetry.metric('LlmCalls', 1, 'Count');
      const client = new Ollama({
        host: this.#config.host,
        headers: this.#config.authHeaders(),
        // Error bodies (which the client puts in its errors) and fetch's errors are scrubbed of the key here.
        fetch: redactingFetch(
          (input, init) => this.#fetch(input, { ...init, signal }),
          (text) => this.#config.redact(text),
        ),
      });
      reply = await client.chat({
        model: this.#config.model,
        messages: [
          { role: 'system', content: request.system },
          { role: 'user', content: request.user },
        ],
        format,
        stream: false,
        options: { temperature: 0, num_ctx: CONTEXT_TOKENS },
      });
    } catch (error) {
      if (scope.aborted) throw scope.reason;
      if (timeout.signal.aborted) {
        throw new LlmCallError(
          'timeout',
          `${request.purpose}: no reply within ${this.#config.timeoutMs} ms`,
          true,
        );
      }
      throw this.#describe(request.purpose, error);
    } finally {
      clearTimeout(timer);
      release();
    }
    return this.#parse(request, reply);
  }

  #parse<T>(request: StructuredChatRequest<T>, reply: ChatResponse): T {
    const content: unknown = reply?.message?.content;
    let json: unknown;
    try {
      json = JSON.parse(String(content));
    } catch {
      throw new LlmCallError('malformed_reply', `${request.purpose}: the reply is not JSON`, false);
    }
    // Scrubbed before validation, so no string of the result can carry the key, whatever the reply said.
    const parsed = request.schema.safeParse(this.#redactStrings(json));
    if (parsed.success) return parsed.data;
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    throw new LlmCallError(
      'invalid_reply',
      `${request.purpose}: the reply does not match the schema (${this.#detail(issues)})`,
      false,
    );
  }

  #describe(purpose: string, error: unknown): LlmCallError {
    const { name, message, status_code, cause } = (error ?? {}) as {
      name?: unknown;
      message?: unknown;
      status_code?: unknown;
      cause?: { code?: unknown };
    };
    if (name === 'ResponseError' && typeof status_code === 'number') {
      const transient = status_code === 408 || status_code === 429 || status_code >= 500;
      return new LlmCallError(
        'http',
        `${purpose}: HTTP ${status_code}: ${this.#detail(String(message))}`,
        transient,
        status_code,
      );
    }
    if (error instanceof TypeError) {
      // fetch's own failure (refused, reset, DNS): the code says which.
      const code = typeof cause?.code === 'string' ? cause.code : this.#detail(String(message));
      return new LlmCallError('network', `${purpose}: network error (${code})`, true);
    }
    return new LlmCallError(
      'malformed_reply',
      `${purpose}: unreadable response (${this.#detail(String(message))})`,
      false,
    );
  }

  #retriable(error: unknown, attempt: number): error is LlmCallError {
    return error instanceof LlmCallError && error.transient && attempt <= this.#config.maxRetries;
  }

  #backoffDelay(attempt: number): number {
    const cap = Math.min(this.#backoff.maxMs, this.#backoff.baseMs * 2 ** (attempt - 1));
    return cap / 2 + (this.#random() * cap) / 2;
  }

  #detail(text: string): string {
    const redacted = this.#config.redact(text);
    return redacted.length > MAX_DETAIL_CHARS ? `${redacted.slice(0, MAX_DETAIL_CHARS)}...` : redacted;
  }

  #redactStrings(value: unknown): unknown {
    if (typeof value === 'string') return this.#config.redact(value);
    if (Array.isArray(value)) return value.map((item) => this.#redactStrings(item));
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.#redactStrings(v)]));
    }
    return value;
  }
}

/** One signal for a whole call: aborted by the caller's signal (with its reason) or at the deadline. */
function callScope(request: StructuredChatRequest<unknown>): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const { signal, deadlineAt } = request;
  const onAbort = () => controller.abort(signal?.reason);
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const onDeadline = () =>
    controller.abort(new LlmCallError('deadline', `${request.purpose}: deadline reached`, false));
  const remaining = deadlineAt === undefined ? Number.POSITIVE_INFINITY : deadlineAt - Date.now();
  // Past the deadline already: abort now, so no call is even started.
  if (remaining <= 0) onDeadline();
  const timer = remaining > 0 && remaining <= MAX_TIMER_MS ? setTimeout(onDeadline, remaining) : undefined;
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}
