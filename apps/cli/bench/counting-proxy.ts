import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountingProxy {
  readonly endpoint: string;
  /** Requests forwarded so far by `X-Amz-Target`, e.g. `DynamoDBStreams_20120810.GetRecords`. */
  counts(): Map<string, number>;
  close(): Promise<void>;
}

/**
 * A plain HTTP proxy in front of DynamoDB Local that counts every request by its target. The local system keeps
 * its streams client to itself, so this is where the pump's stream reads can be counted; each HTTP request is
 * counted, SDK retries included.
 */
export async function startCountingProxy(upstream: string): Promise<CountingProxy> {
  const { hostname, port } = new URL(upstream);
  const agent = new Agent({ keepAlive: true });
  const counts = new Map<string, number>();
  const server = createServer((incoming, outgoing) => {
    const target = String(incoming.headers['x-amz-target'] ?? 'unknown');
    counts.set(target, (counts.get(target) ?? 0) + 1);
    const forwarded = request(
      { hostname, port, method: incoming.method, path: incoming.url, headers: incoming.headers, agent },
      (reply) => {
        outgoing.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(outgoing);
      },
    );
    // The client sees a dropped connection, as it would if DynamoDB Local itself went away.
    forwarded.on('error', () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    counts: () => new Map(counts),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
