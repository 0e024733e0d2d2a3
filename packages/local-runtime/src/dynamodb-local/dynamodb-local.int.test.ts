import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal } from './dynamodb-local.js';

const jvmsOnPort = (port: number) => {
  try {
    return execFileSync('pgrep', ['-f', `DynamoDBLocal.jar -port ${port} `], { encoding: 'utf8' })
      .trim()
      .split('\n').length;
  } catch {
    return 0;
  }
};

describe('startDynamoDbLocal', () => {
  it('starts DynamoDB Local on a free port, answers requests, and leaves no JVM after stop', async () => {
    const local = await startDynamoDbLocal();
    try {
      const client = new DynamoDBClient({
        endpoint: local.endpoint,
        region: LOCAL_REGION,
        credentials: LOCAL_CREDENTIALS,
      });
      const tables = await client.send(new ListTablesCommand({}));
      expect(tables.TableNames).toBeDefined();
      client.destroy();
      expect(jvmsOnPort(local.port)).toBe(1);
    } finally {
      await local.stop();
    }
    expect(jvmsOnPort(local.port)).toBe(0);
  }, 60_000);

  it('kills the JVM when the process that started it dies, even by SIGKILL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ddb-local-'));
    const script = join(dir, 'start-and-die.mts');
    writeFileSync(
      script,
      `import { startDynamoDbLocal } from ${JSON.stringify(fileURLToPath(new URL('./dynamodb-local.ts', import.meta.url)))};
const local = await startDynamoDbLocal();
console.log(local.port);
process.kill(process.pid, 'SIGKILL');`,
    );
    let output = '';
    try {
      execFileSync('npx', ['tsx', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? '');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const port = Number(output.trim());
    expect(port).toBeGreaterThan(0);
    for (let i = 0; i < 50 && jvmsOnPort(port) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(jvmsOnPort(port)).toBe(0);
  }, 60_000);

  it('kills the JVM when the whole process group gets SIGINT and the process then dies (Ctrl-C, timeout)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ddb-local-'));
    const script = join(dir, 'start-and-wait.mts');
    writeFileSync(
      script,
      `import { startDynamoDbLocal } from ${JSON.stringify(fileURLToPath(new URL('./dynamodb-local.ts', import.meta.url)))};
process.on('SIGINT', () => process.kill(process.pid, 'SIGKILL'));
const local = await startDynamoDbLocal();
console.log(local.port);
setInterval(() => {}, 1_000);`,
    );
    // Its own process group, as a terminal's foreground job is: the signal reaches every process in it.
    const child = spawn('npx', ['tsx', script], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('\n')) resolve(Number(output.trim()));
        });
        child.once('exit', () => reject(new Error('the script ended before DynamoDB Local answered')));
      });
      expect(jvmsOnPort(port)).toBe(1);
      process.kill(-(child.pid as number), 'SIGINT');
      for (let i = 0; i < 50 && jvmsOnPort(port) > 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(jvmsOnPort(port)).toBe(0);
    } finally {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {}
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('keeps its data across a SIGKILL when it has a dbPath, and starts again on the same port', async () => {
    const dbPath = mkdtempSync(join(tmpdir(), 'ddb-local-data-'));
    let local = await startDynamoDbLocal({ dbPath });
    const client = new DynamoDBClient({
      endpoint: local.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 1,
    });
    try {
      await client.send(
        new CreateTableCommand({
          TableName: 'survivor',
          KeySchema: [{ AttributeName: 'PK', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'PK', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      await client.send(new PutItemCommand({ TableName: 'survivor', Item: { PK: { S: 'kept' } } }));
      await local.kill();
      expect(jvmsOnPort(local.port)).toBe(0);
      await expect(client.send(new ListTablesCommand({}))).rejects.toThrow();
      local = await startDynamoDbLocal({ dbPath, port: local.port });
      const { Item } = await client.send(
        new GetItemCommand({ TableName: 'survivor', Key: { PK: { S: 'kept' } }, ConsistentRead: true }),
      );
      expect(Item).toEqual({ PK: { S: 'kept' } });
    } finally {
      client.destroy();
      await local.stop();
      rmSync(dbPath, { recursive: true, force: true });
    }
    expect(jvmsOnPort(local.port)).toBe(0);
  }, 90_000);
});
