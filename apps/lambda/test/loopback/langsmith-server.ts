import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import * as zlib from 'node:zlib';

/** One HTTP request as the server received it; `body` is the text after decompression. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly contentEncoding?: string;
  readonly body: string;
}

/** A run as LangSmith would store it: its create and every later patch merged. */
export interface RecordedRun {
  readonly id: string;
  name?: string;
  run_type?: string;
  /** The project (`session_name` on the wire). */
  session_name?: string;
  parent_run_id?: string;
  trace_id?: string;
  tags?: string[];
  metadata?: Record<string, unknown>;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  error?: string;
  end_time?: string | number;
  /** How many creates the server saw for this id (more than one is a duplicate). */
  creates: number;
}

export interface LangSmithServerOptions {
  /** Merged over the `/info` payload, e.g. `{ batch_ingest_config: { use_multipart_endpoint: false } }`. */
  readonly info?: Record<string, unknown>;
  /** Ingestion requests without this `x-api-key` get a 401, as LangSmith answers a wrong key. */
  readonly apiKey?: string;
  /** Holds every ingestion response this long: a slow LangSmith. */
  readonly ingestDelayMs?: number;
  /**
   * Answers every request (`/info` included) with this status and body instead, once recorded: a failing
   * LangSmith, or one (or a proxy before it) that echoes what it was sent in its error bodies.
   */
  readonly failWith?: (request: RecordedRequest) => { readonly status: number; readonly body: string };
}

export interface LangSmithServer {
  readonly url: string;
  readonly requests: readonly RecordedRequest[];
  /** Runs in the order they were first seen. */
  runs(): RecordedRun[];
  /** Ends open connections and pending replies too, so a test never waits on a held request. */
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

/**
 * What a recent LangSmith answers on `/info`: multipart ingestion with gzip bodies, which is what the client uses
 * against the real service (it compresses runs as they are queued when `gzip_body_enabled` is set).
 */
function infoPayload(overrides: Json = {}): Json {
  const base: Json = {
    version: '0.12.0',
    license_expiration_time: null,
    batch_ingest_config: {
      use_multipart_endpoint: true,
      scale_up_qsize_trigger: 1000,
      scale_up_nthreads_limit: 16,
      scale_down_nempty_trigger: 4,
      size_limit: 100,
      size_limit_bytes: 20_971_520,
    },
    instance_flags: {
      gzip_body_enabled: true,
      zstd_compression_enabled: true,
      dataset_examples_multipart_enabled: true,
    },
  };
  const merged: Json = { ...base, ...overrides };
  for (const key of ['batch_ingest_config', 'instance_flags']) {
    if (overrides[key]) merged[key] = { ...(base[key] as Json), ...(overrides[key] as Json) };
  }
  return merged;
}

function decompress(body: Buffer, encoding: string | undefined): Buffer {
  switch (encoding) {
    case undefined:
    case 'identity':
      return body;
    case 'gzip':
      return zlib.gunzipSync(body);
    case 'deflate':
      return zlib.inflateSync(body);
    case 'br':
      return zlib.brotliDecompressSync(body);
    case 'zstd': {
      // Node has zstd from 22.15; older runtimes never send it (the client checks the same way).
      const zstd = (zlib as { zstdDecompressSync?: (input: Buffer) => Buffer }).zstdDecompressSync;
      if (zstd) return zstd(body);
      throw new Error('zstd is not supported by this Node');
    }
    default:
      throw new Error(`unsupported content-encoding ${encoding}`);
  }
}

interface Part {
  readonly name: string;
  readonly data: Buffer;
}

/** Splits a multipart/form-data body into its named parts. */
function multipartParts(body: Buffer, contentType: string): Part[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  const token = boundary?.[1] ?? boundary?.[2];
  if (!token) throw new Error('multipart body without a boundary');
  const delimiter = Buffer.from(`--${token}`);
  const parts: Part[] = [];
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const afterDelimiter = start + delimiter.length;
    if (body.subarray(afterDelimiter, afterDelimiter + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, afterDelimiter);
    if (next === -1) throw new Error('multipart body without a closing boundary');
    const part = body.subarray(afterDelimiter + 2, next - 2); // after the CRLF, before the CRLF
    const headerEnd = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, headerEnd).toString();
    const name = /name="([^"]+)"/.exec(headers)?.[1];
    if (!name) throw new Error(`multipart part without a name: ${headers}`);
    parts.push({ name, data: part.subarray(headerEnd + 4) });
    start = next;
  }
  return parts;
}

class RunStore {
  readonly #runs = new Map<string, RecordedRun>();

  create(fields: Json) {
    this.#merge(fields).creates += 1;
  }

  update(fields: Json) {
    this.#merge(fields);
  }

  all(): RecordedRun[] {
    return [...this.#runs.values()].map((run) => structuredClone(run));
  }

  /** Applies a full run (batch and single-run endpoints) or one multipart field (`inputs`, `extra`, ...). */
  #merge(fields: Json): RecordedRun {
    const id = String(fields.id);
    let run = this.#runs.get(id);
    if (!run) {
      run = { id, creates: 0 };
      this.#runs.set(id, run);
    }
    const { extra, ...rest } = fields;
    const known = [
      'name',
      'run_type',
      'session_name',
      'parent_run_id',
      'trace_id',
      'tags',
      'inputs',
      'outputs',
      'error',
      'end_time',
    ];
    for (const key of known) {
      if (rest[key] !== undefined && rest[key] !== null) (run as unknown as Json)[key] = rest[key];
    }
    const metadata = (extra as Json | undefined)?.metadata as Json | undefined;
    if (metadata) run.metadata = { ...run.metadata, ...metadata };
    return run;
  }

  applyMultipart(parts: readonly Part[]) {
    for (const { name, data } of parts) {
      const [operation, id, field] = name.split('.');
      if (operation !== 'post' && operation !== 'patch') continue; // feedback and attachments are not runs
      const value = JSON.parse(data.toString()) as unknown;
      const fields: Json = field ? { id, [field]: value } : { ...(value as Json), id };
      if (operation === 'post' && !field) this.create(fields);
      else this.update(fields);
    }
  }
}

/**
 * A LangSmith stand-in on 127.0.0.1 and a free port, speaking what the `langsmith` client calls: `GET /info`,
 * `POST /runs/multipart` (gzip or zstd bodies), `POST /runs/batch`, `POST /runs` and `PATCH /runs/:id`. It records
 * every request and merges the runs, and answers an ingestion only once it is recorded.
 */
export async function startLangSmithServer(options: LangSmithServerOptions = {}): Promise<LangSmithServer> {
  const requests: RecordedRequest[] = [];
  const store = new RunStore();
  const sockets = new Set<Socket>();
  const heldReplies = new Set<NodeJS.Timeout>();

  const reply = (response: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    response.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    response.end(text);
  };

  const ingest = (request: IncomingMessage, path: string, body: Buffer): [number, unknown] => {
    if (options.apiKey !== undefined && request.headers['x-api-key'] !== options.apiKey) {
      return [401, { detail: 'Invalid token' }];
    }
    if (request.method === 'POST' && path === '/runs/multipart') {
      store.applyMultipart(multipartParts(body, request.headers['content-type'] ?? ''));
      return [202, {}];
    }
    const json = JSON.parse(body.toString() || '{}') as Json;
    if (request.method === 'POST' && path === '/runs/batch') {
      for (const run of (json.post as Json[] | undefined) ?? []) store.create(run);
      for (const run of (json.patch as Json[] | undefined) ?? []) store.update(run);
      return [202, {}];
    }
    if (request.method === 'POST' && path === '/runs') {
      store.create(json);
      return [202, {}];
    }
    const patched = /^\/runs\/([^/]+)$/.exec(path);
    if (request.method === 'PATCH' && patched) {
      store.update({ ...json, id: patched[1] });
      return [202, {}];
    }
    return [404, { detail: 'Not Found' }];
  };

  const handle = (request: IncomingMessage, response: ServerResponse, raw: Buffer) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const method = request.method ?? 'GET';
    const contentEncoding = request.headers['content-encoding'];
    let body: Buffer;
    try {
      body = decompress(raw, contentEncoding);
    } catch (error) {
      requests.push({ method, path, headers: request.headers, contentEncoding, body: '' });
      reply(response, 415, { detail: String(error) });
      return;
    }
    const recorded = { method, path, headers: request.headers, contentEncoding, body: body.toString() };
    requests.push(recorded);
    if (options.failWith) {
      const failure = options.failWith(recorded);
      response.writeHead(failure.status, { 'content-type': 'application/json' });
      response.end(failure.body);
      return;
    }
    if (method === 'GET' && path === '/info') {
      reply(response, 200, infoPayload(options.info));
      return;
    }
    let status: number;
    let payload: unknown;
    try {
      [status, payload] = ingest(request, path, body);
    } catch (error) {
      [status, payload] = [422, { detail: String(error) }];
    }
    if (!options.ingestDelayMs) {
      reply(response, status, payload);
      return;
    }
    const held = setTimeout(() => {
      heldReplies.delete(held);
      reply(response, status, payload);
    }, options.ingestDelayMs);
    heldReplies.add(held);
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handle(request, response, Buffer.concat(chunks)));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('LangSmith loopback server has no address');

  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    runs: () => store.all(),
    close: async () => {
      for (const held of heldReplies) clearTimeout(held);
      heldReplies.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
