import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const core = join(import.meta.dirname, '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

// A consumer that names the public types of both entry points, implements the ports and drives the gate.
const CONSUMER = `
import {
  type Clock,
  type CompactionGate,
  type CompactionRun,
  type CompactionRunKey,
  type CompactionRunRepository,
  type GateResult,
  type ReceiptAnalyzer,
  type ValidationReport,
  PollingCompactionGate,
  validateReceipt,
} from '@receipt-gate/core';
import { InMemoryCompactionRunRepository, VirtualClock } from '@receipt-gate/core/testing';

class TickingClock implements Clock {
  now(): number {
    return 0;
  }
  sleep(_ms: number, signal?: AbortSignal): Promise<void> {
    return signal?.aborted ? Promise.reject(signal.reason) : Promise.resolve();
  }
}

const runs: CompactionRunRepository = new InMemoryCompactionRunRepository();
const clock: Clock = new VirtualClock();
const gate: CompactionGate = new PollingCompactionGate({ runs, clock: new TickingClock() }, { pollIntervalMs: 500 });
const key: CompactionRunKey = { imageId: 'a', receiptId: 1, runId: 'b' };
export const waiting: Promise<GateResult> = gate.waitForCompaction(key, { deadlineAt: clock.now() + 1_000 });
export const read: Promise<CompactionRun | undefined> = runs.getCompactionRun(key);
export type Report = ValidationReport;
export type Analyzer = ReceiptAnalyzer;
export const validate: typeof validateReceipt = validateReceipt;
`;

describe('published types', () => {
  it('compile in a consumer with lib es2022 alone (no @types/node, no DOM lib), and with either, from both entry points', {
    timeout: 180_000,
  }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'receipt-gate-consumer-'));
    try {
      const pkg = join(dir, 'node_modules', '@receipt-gate', 'core');
      mkdirSync(pkg, { recursive: true });
      cpSync(join(core, 'package.json'), join(pkg, 'package.json'));
      const build = ['-p', join(core, 'tsconfig.build.json'), '--outDir', join(pkg, 'dist')];
      const declarationsOnly = ['--emitDeclarationOnly', '--declarationMap', 'false', '--sourceMap', 'false'];
      execFileSync(process.execPath, [tsc, ...build, ...declarationsOnly], { cwd: core, stdio: 'pipe' });
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module' }));
      writeFileSync(join(dir, 'consumer.ts'), CONSUMER);
      // The ES lib alone, where AbortSignal comes only from core's own declaration; then with the DOM lib and
      // with @types/node, where core's declaration must merge with the platform's.
      const variants = [
        { lib: ['es2022'], types: [] },
        { lib: ['es2022', 'dom'], types: [] },
        { lib: ['es2022'], types: ['node'], typeRoots: [join(core, 'node_modules', '@types')] },
      ];
      const errors = variants.map((variant) => {
        const compilerOptions = {
          target: 'es2022',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          ...variant,
        };
        writeFileSync(
          join(dir, 'tsconfig.json'),
          JSON.stringify({ compilerOptions, files: ['consumer.ts'] }),
        );
        try {
          execFileSync(process.execPath, [tsc, '-p', dir], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
          return '';
        } catch (error) {
          return `${JSON.stringify(variant)}: ${String((error as { stdout?: string }).stdout ?? error)}`;
        }
      });
      expect(errors).toEqual(['', '', '']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
