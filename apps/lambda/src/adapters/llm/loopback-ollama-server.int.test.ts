import { Ollama } from 'ollama';
import { afterEach, describe, expect, it } from 'vitest';
import { type LoopbackOllama, startLoopbackOllama } from '../../../test/loopback/ollama-server.js';

// The loopback server's own checks, with the real `ollama` client (vitest only collects tests under src/).
let server: LoopbackOllama | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const REPLY = { labels: [{ line_id: 1, word_id: 2, label: 'TAX' }] };

describe('loopback Ollama /api/chat', () => {
  it('answers an unstreamed chat with one JSON object whose content is the scripted JSON', async () => {
    server = await startLoopbackOllama([{ json: REPLY }]);
    const client = new Ollama({ host: server.url, headers: { Authorization: 'Bearer k-1' } });
    const schema = { type: 'object', title: 'probe' };
    const reply = await client.chat({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      format: schema,
      stream: false,
    });
    expect(JSON.parse(reply.message.content)).toEqual(REPLY);
    expect(reply.done).toBe(true);
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/api/chat' });
    expect(request?.headers.authorization).toBe('Bearer k-1');
    expect(server.chatBodies()[0]).toMatchObject({ model: 'm', stream: false, format: schema });
  });

  it("streams NDJSON pieces ending with a done line to the client's stream: true", async () => {
    server = await startLoopbackOllama([{ json: REPLY }]);
    const client = new Ollama({ host: server.url });
    const parts: string[] = [];
    let done = 0;
    for await (const part of await client.chat({ model: 'm', messages: [], stream: true })) {
      parts.push(part.message.content);
      if (part.done) done++;
    }
    expect(parts.length).toBeGreaterThan(2);
    expect(done).toBe(1);
    expect(JSON.parse(parts.join(''))).toEqual(REPLY);
  });

  it('streams when the request does not say (as Ollama does), and a stream without its done line fails the client', async () => {
    server = await startLoopbackOllama([{ content: 'abc' }, { content: 'abc', omitDone: true }]);
    const raw = await fetch(`${server.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: 'm' }),
    });
    expect(raw.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await raw.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.at(-1)).toMatchObject({ done: true });
    const client = new Ollama({ host: server.url });
    const consume = async () => {
      for await (const _ of await client.chat({ model: 'm', messages: [], stream: true })) {
        // drain
      }
    };
    await expect(consume()).rejects.toThrow(/done/);
  });

  it('sends scripted errors as Ollama does (non-2xx, {"error": ...}), malformed content verbatim, and 404 elsewhere', async () => {
    server = await startLoopbackOllama([
      { status: 429, error: 'too many requests' },
      { content: '{"labels": [' },
    ]);
    const client = new Ollama({ host: server.url });
    const ask = () => client.chat({ model: 'm', messages: [], stream: false });
    await expect(ask()).rejects.toMatchObject({
      name: 'ResponseError',
      status_code: 429,
      error: 'too many requests',
    });
    expect((await ask()).message.content).toBe('{"labels": [');
    const missing = await fetch(`${server.url}/api/tags`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toHaveProperty('error');
  });

  it('rejects a format that is neither "json" nor a schema, and replies from a function of the request', async () => {
    server = await startLoopbackOllama((body, index) => ({ json: { model: body.model, index } }));
    const client = new Ollama({ host: server.url });
    await expect(
      client.chat({ model: 'm', messages: [], format: 'yaml' as never, stream: false }),
    ).rejects.toMatchObject({
      status_code: 400,
    });
    const reply = await client.chat({ model: 'x', messages: [], format: 'json', stream: false });
    expect(JSON.parse(reply.message.content)).toEqual({ model: 'x', index: 0 });
  });

  it('delays a reply, stops waiting when the client gives up, and closes at once with a request pending', async () => {
    server = await startLoopbackOllama([
      { json: REPLY, delayMs: 80 },
      { json: REPLY, delayMs: 60_000 },
    ]);
    const client = new Ollama({ host: server.url });
    const started = Date.now();
    await client.chat({ model: 'm', messages: [], stream: false });
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);

    const pending = client.chat({ model: 'm', messages: [], stream: false }).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const closing = Date.now();
    await server.close();
    expect(Date.now() - closing).toBeLessThan(1_000);
    expect(await pending).toBeInstanceOf(Error);
    server = undefined;
  });
});
