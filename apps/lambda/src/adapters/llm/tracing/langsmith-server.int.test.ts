import { Client } from 'langsmith';
import { RunTree } from 'langsmith/run_trees';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type LangSmithServer,
  type LangSmithServerOptions,
  startLangSmithServer,
} from '../../../../test/loopback/langsmith-server.js';

const KEY = 'lsv2_pt_loopback_server_test_key_0123456789';

/** A root run with one child, sent the way a tracer sends them: create, then patch with the outputs. */
async function traceOneParentAndChild(client: Client) {
  const root = new RunTree({
    name: 'analyze',
    run_type: 'chain',
    inputs: { words: ['MILK', '2.49'] },
    tags: ['image:i', 'receipt:1'],
    extra: { metadata: { receipt_id: 1 } },
    project_name: 'loopback',
    client,
    replicas: [],
  });
  await root.postRun();
  const child = root.createChild({ name: 'classify', run_type: 'llm', inputs: { prompt: 'label these' } });
  await child.postRun();
  await child.end({ labels: ['O', 'LINE_TOTAL'] });
  await child.patchRun();
  await root.end({ done: true });
  await root.patchRun();
  await client.awaitPendingTraceBatches();
  return { root, child };
}

describe('the loopback LangSmith server', () => {
  let server: LangSmithServer | undefined;

  afterEach(async () => {
    await server?.close();
  });

  /** Mode, server options, client batching, and the ingestion requests expected, sorted (`:id`: a run id). */
  const modes: [string, LangSmithServerOptions, boolean, string[]][] = [
    ['gzip multipart (what the client sends a recent LangSmith)', {}, true, ['POST /runs/multipart gzip']],
    [
      'plain multipart',
      { info: { instance_flags: { gzip_body_enabled: false, zstd_compression_enabled: false } } },
      true,
      ['POST /runs/multipart'],
    ],
    [
      'the JSON batch endpoint',
      { info: { batch_ingest_config: { use_multipart_endpoint: false } } },
      true,
      ['POST /runs/batch'],
    ],
    ['single-run create and patch', {}, false, ['PATCH /runs/:id', 'POST /runs']],
  ];

  it.each(modes)(
    'merges the runs sent through %s',
    async (_, options, autoBatchTracing, expectedRequests) => {
      server = await startLangSmithServer({ ...options, apiKey: KEY });
      const client = new Client({
        apiUrl: server.url,
        apiKey: KEY,
        autoBatchTracing,
        disablePromptCache: true,
      });

      const { root, child } = await traceOneParentAndChild(client);

      expect(server.runs()).toEqual([
        expect.objectContaining({
          id: root.id,
          name: 'analyze',
          run_type: 'chain',
          session_name: 'loopback',
          tags: ['image:i', 'receipt:1'],
          metadata: expect.objectContaining({ receipt_id: 1 }),
          inputs: { words: ['MILK', '2.49'] },
          outputs: { done: true },
          creates: 1,
        }),
        expect.objectContaining({
          id: child.id,
          name: 'classify',
          run_type: 'llm',
          parent_run_id: root.id,
          trace_id: root.id,
          inputs: { prompt: 'label these' },
          outputs: { labels: ['O', 'LINE_TOTAL'] },
          creates: 1,
        }),
      ]);
      const ingested = server.requests.filter((request) => request.path !== '/info');
      const shapes = ingested.map((request) =>
        [request.method, request.path.replace(/[0-9a-f-]{36}$/, ':id'), request.contentEncoding]
          .filter(Boolean)
          .join(' '),
      );
      expect([...new Set(shapes)].sort()).toEqual(expectedRequests);
      for (const request of ingested) expect(request.headers['x-api-key']).toBe(KEY);
    },
  );

  it('answers a wrong key with 401 and records the request, but no run', async () => {
    server = await startLangSmithServer({ apiKey: KEY });
    const response = await fetch(`${server.url}/runs/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'wrong' },
      body: JSON.stringify({ post: [{ id: 'r1', name: 'n' }] }),
    });
    expect(response.status).toBe(401);
    expect(server.requests).toMatchObject([{ method: 'POST', path: '/runs/batch' }]);
    expect(server.runs()).toEqual([]);
  });

  it('closes at once even with a held reply and an open connection', async () => {
    // The reply is held far past the test's timeout: a close that returns at all did not wait for it.
    server = await startLangSmithServer({ ingestDelayMs: 600_000 });
    const pending = fetch(`${server.url}/runs`, {
      method: 'POST',
      body: JSON.stringify({ id: 'r1', name: 'n' }),
    });
    await expect.poll(() => server?.requests.length).toBe(1);
    await server.close();
    await expect(pending).rejects.toThrow();
    server = undefined;
  });
});
