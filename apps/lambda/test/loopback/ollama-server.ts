import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request the server received, as sent. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The body as received (what tests search for leaked secrets). */
  readonly rawBody: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly body: unknown;
}

/** The `/api/chat` request body fields a script looks at. */
export interface ChatRequestBody {
  readonly model?: string;
  readonly messages?: readonly { readonly role: string; readonly content: string }[];
  readonly stream?: boolean;
  readonly format?: unknown;
  readonly options?: Record<string, unknown>;
}

interface ReplyOptions {
  /** Wait before answering (headers included), as a slow model does. */
  readonly delayMs?: number;
  /** Streaming only: leave out the final `"done": true` line (the client must then fail). */
  readonly omitDone?: boolean;
}

/** What the model answers to one chat request. */
export type ScriptedReply = ReplyOptions &
  (
    | /** The model's JSON, sent as the string in `message.content` (what `format` makes a model do). */
    { readonly json: unknown }
    /** `message.content` verbatim: malformed JSON, prose, an empty string. */
    | { readonly content: string }
    /** A non-2xx answer with Ollama's `{"error": "..."}` body. */
    | { readonly status: number; readonly error: string }
  );

/** The `/api/embed` request body. */
export interface EmbedRequestBody {
  readonly model?: string;
  readonly input?: string | readonly string[];
}

/** What the server answers to one embed request: vectors, or a non-2xx answer with Ollama's error body. */
export type EmbedReply =
  | { readonly embeddings: readonly (readonly number[])[] }
  | { readonly status: number; readonly error: string };

export type ReplyScript =
  | readonly ScriptedReply[]
  /** `headers` lets a reply echo what the client sent (its `authorization`, say). */
  | ((
      request: ChatRequestBody,
      index: number,
      headers: IncomingHttpHeaders,
    ) => ScriptedReply | Promise<ScriptedReply>);

export interface LoopbackOllama {
  /** `http://127.0.0.1:PORT`, for `OLLAMA_HOST`. */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: readonly RecordedRequest[];
  /** The parsed bodies of the `/api/chat` requests, in order. */
  chatBodies(): ChatRequestBody[];
  /** Replaces the script; the chat request count starts again from 0. */
  script(replies: ReplyScript): void;
  /** How `/api/embed` answers from now on (without one, it answers 404). */
  embeddings(reply: (request: EmbedRequestBody, index: number) => EmbedReply): void;
  /** Stops listening, drops open connections and pending delays; never hangs. */
  close(): Promise<void>;
}

const NO_REPLY: ScriptedReply = { status: 500, error: 'loopback ollama: no scripted reply left' };
const STREAM_PIECES = 3;

/**
 * A stand-in for Ollama's `/api/chat` on 127.0.0.1 (a free port): answers each chat request from a script (a
 * list consumed in order, or a function of the request), streaming NDJSON when the request asks for it (Ollama
 * streams unless `stream` is false) and one JSON object otherwise.
 */
export async function startLoopbackOllama(initial: ReplyScript = []): Promise<LoopbackOllama> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let replies = initial;
  let chatCount = 0;
  let embed: ((request: EmbedRequestBody, index: number) => EmbedReply) | undefined;
  let embedCount = 0;

  const wait = (ms: number, response: ServerResponse) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve(!response.destroyed);
      }, ms);
      timers.add(timer);
      // A client that gave up (timeout, abort) closes the socket: stop waiting for it.
      response.once('close', () => {
        clearTimeout(timer);
        timers.delete(timer);
        resolve(false);
      });
    });

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const body = parseJson(rawBody);
      const path = (request.url ?? '/').split('?')[0] ?? '/';
      requests.push({ method: request.method ?? 'GET', path, headers: request.headers, rawBody, body });
      if (request.method === 'POST' && path === '/api/embed' && embed) {
        const reply = embed((body ?? {}) as EmbedRequestBody, embedCount++);
        if ('status' in reply) return sendJson(response, reply.status, { error: reply.error });
        return sendJson(response, 200, {
          model: (body as EmbedRequestBody | undefined)?.model ?? 'loopback',
          embeddings: reply.embeddings,
          total_duration: 1_000_000,
          load_duration: 0,
          prompt_eval_count: 1,
        });
      }
      if (request.method !== 'POST' || path !== '/api/chat') {
        return sendJson(response, 404, { error: `loopback ollama: no route ${request.method} ${path}` });
      }
      const chat = (body ?? {}) as ChatRequestBody;
      if (!isFormat(chat.format)) {
        return sendJson(response, 400, { error: 'invalid format: expected "json" or a JSON schema' });
      }
      const index = chatCount++;
      let reply: ScriptedReply;
      try {
        reply =
          typeof replies === 'function'
            ? await replies(chat, index, request.headers)
            : (replies[index] ?? NO_REPLY);
      } catch (error) {
        // A broken script shows up as a failed call, not as a request left hanging.
        return sendJson(response, 500, { error: `loopback ollama: script failed: ${String(error)}` });
      }
      if (reply.delayMs && !(await wait(reply.delayMs, response))) return;
      answer(response, chat, reply);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    chatBodies: () =>
      requests.filter((r) => r.path === '/api/chat').map((r) => (r.body ?? {}) as ChatRequestBody),
    script(next) {
      replies = next;
      chatCount = 0;
    },
    embeddings(reply) {
      embed = reply;
      embedCount = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

function answer(response: ServerResponse, chat: ChatRequestBody, reply: ScriptedReply): void {
  if ('status' in reply) {
    sendJson(response, reply.status, { error: reply.error });
    return;
  }
  const content = 'json' in reply ? JSON.stringify(reply.json) : reply.content;
  const model = chat.model ?? 'loopback';
  const stats = { done_reason: 'stop', total_duration: 1_000_000, eval_count: content.length };
  if (chat.stream === false) {
    sendJson(response, 200, {
      model,
      created_at: new Date().toISOString(),
      message: { role: 'assistant', content },
      done: true,
      ...stats,
    });
    return;
  }
  response.writeHead(200, { 'content-type': 'application/x-ndjson' });
  const size = Math.ceil(content.length / STREAM_PIECES) || 1;
  for (let start = 0; start < content.length; start += size) {
    const piece = content.slice(start, start + size);
    response.write(
      `${JSON.stringify({ model, message: { role: 'assistant', content: piece }, done: false })}\n`,
    );
  }
  if (!reply.omitDone) {
    response.write(
      `${JSON.stringify({ model, message: { role: 'assistant', content: '' }, done: true, ...stats })}\n`,
    );
  }
  response.end();
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isFormat(format: unknown): boolean {
  return (
    format === undefined ||
    format === '' ||
    format === 'json' ||
    (typeof format === 'object' && format !== null && !Array.isArray(format))
  );
}
