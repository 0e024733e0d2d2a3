import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';

export interface LocalS3 {
  /** `http://127.0.0.1:PORT`: an S3-compatible endpoint (path-style addressing). */
  readonly endpoint: string;
  readonly buckets: readonly string[];
  /** Where the server keeps the objects (deleted by `stop`). */
  readonly directory: string;
  /** Stops the server and deletes everything it stored. Safe to call twice. */
  stop(): Promise<void>;
}

export interface LocalS3Options {
  /** Buckets that exist from the start. */
  readonly buckets: readonly string[];
  readonly readyTimeoutMs?: number;
}

/** The credentials s3rver accepts (it checks signatures against these). */
export const LOCAL_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

// The server process: s3rver on a free loopback port, storing under a temporary directory; it reports its port
// on stdout, then stops and deletes the directory when its stdin closes (our stop, exit or crash) or on a signal.
const SERVER = `
const S3rver = require(process.argv[1]);
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const directory = mkdtempSync(join(tmpdir(), 'receipt-gate-s3-'));
const server = new S3rver({
  address: '127.0.0.1', port: 0, silent: true, directory,
  configureBuckets: JSON.parse(process.argv[2]).map((name) => ({ name })),
});
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  const done = () => { rmSync(directory, { recursive: true, force: true }); process.exit(0); };
  // Keep-alive connections of clients would hold the close open.
  server.httpServer?.closeAllConnections();
  server.close().then(done, done);
};
process.stdin.on('end', stop).on('close', stop).resume();
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, stop);
server.run().then(
  ({ port }) => process.stdout.write(JSON.stringify({ port, directory }) + '\\n'),
  (error) => { console.error(String(error)); rmSync(directory, { recursive: true, force: true }); process.exit(1); },
);
`;

/**
 * Starts an S3-compatible server (s3rver) for the local runtime and tests: in a child process, on a free
 * loopback port, with `buckets` created. It cannot outlive this process: it stops and deletes what it stored as
 * soon as this process's pipe to it closes, even when this process is killed. s3rver ignores conditional
 * writes (If-None-Match, If-Match), which the write-once delta objects do not need.
 */
export async function startLocalS3(options: LocalS3Options): Promise<LocalS3> {
  const s3rver = createRequire(import.meta.url).resolve('s3rver');
  const child = spawn(process.execPath, ['-e', SERVER, s3rver, JSON.stringify(options.buckets)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const onExit = () => child.stdin.destroy();
  process.once('exit', onExit);
  let stopped = false;
  const stop = async () => {
    if (!stopped) {
      stopped = true;
      process.off('exit', onExit);
      child.stdin.end();
    }
    await exited;
  };
  const timeoutMs = options.readyTimeoutMs ?? 30_000;
  try {
    const { port, directory } = await new Promise<{ port: number; directory: string }>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout });
      const timer = setTimeout(
        () => reject(new Error(`the local S3 server did not start within ${timeoutMs} ms`)),
        timeoutMs,
      );
      lines.once('line', (line) => {
        clearTimeout(timer);
        resolve(JSON.parse(line) as { port: number; directory: string });
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the local S3 server exited early (code ${code})`));
      });
    });
    return { endpoint: `http://127.0.0.1:${port}`, buckets: [...options.buckets], directory, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
