import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startLocalS3 } from './local-s3.js';

const answers = async (url: string) =>
  fetch(url).then(
    () => true,
    () => false,
  );

async function gone(endpoint: string, directory: string): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    if (!(await answers(endpoint)) && !existsSync(directory)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

describe('startLocalS3', () => {
  it('serves its buckets on a free loopback port, and leaves no server and no files after stop', async () => {
    const s3 = await startLocalS3({ buckets: ['deltas-test'] });
    try {
      expect(s3.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const put = await fetch(`${s3.endpoint}/deltas-test/lines/delta/run/delta.json`, {
        method: 'PUT',
        body: '[]',
      });
      expect(put.status).toBe(200);
      const got = await fetch(`${s3.endpoint}/deltas-test/lines/delta/run/delta.json`);
      expect(await got.text()).toBe('[]');
      expect((await fetch(`${s3.endpoint}/no-such-bucket/x`)).status).toBe(404);
      expect(existsSync(s3.directory)).toBe(true);
    } finally {
      await s3.stop();
      await s3.stop();
    }
    expect(await gone(s3.endpoint, s3.directory)).toBe(true);
  });

  it('stops the server and deletes its files when the process that started it dies, even by SIGKILL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'local-s3-'));
    const script = join(dir, 'start-and-die.mts');
    writeFileSync(
      script,
      `import { startLocalS3 } from ${JSON.stringify(fileURLToPath(new URL('./local-s3.ts', import.meta.url)))};
const s3 = await startLocalS3({ buckets: ['b-test'] });
console.log(JSON.stringify(s3));
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
    const { endpoint, directory } = JSON.parse(output.trim()) as { endpoint: string; directory: string };
    expect(directory).toContain('receipt-gate-s3-');
    expect(await gone(endpoint, directory)).toBe(true);
  });
});
