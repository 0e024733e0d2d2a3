import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BUNDLER_WORKING_DIR } from '../bundling/function-bundles.js';
import { STACK_NAME } from './receipt-gate-app.js';

const run = promisify(execFile);
const tsx = join(BUNDLER_WORKING_DIR, 'node_modules', '.bin', 'tsx');
const template = join(BUNDLER_WORKING_DIR, 'cdk.out', `${STACK_NAME}.template.json`);
// Nothing that could reach AWS: no credentials, no profile, no region.
const env = {
  PATH: process.env.PATH ?? '',
  HOME: '/nonexistent',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

describe('the synth command (tsx bin/app.ts, what `pnpm synth` runs)', () => {
  it('bundles and writes cdk.out/ReceiptGate.template.json without AWS credentials or the CDK CLI', async () => {
    rmSync(template, { force: true });
    const { stdout } = await run(tsx, ['bin/app.ts', '-c', 'mode=event'], { cwd: BUNDLER_WORKING_DIR, env });
    expect(stdout).toContain(`${STACK_NAME}.template.json written`);
    const resources = Object.values(
      (JSON.parse(readFileSync(template, 'utf8')) as { Resources: Record<string, { Type: string }> })
        .Resources,
    );
    expect(resources.filter((resource) => resource.Type === 'AWS::Lambda::Function')).toHaveLength(3);
  });

  it('refuses bad settings with the reason and exit code 2, writing nothing', async () => {
    const failed = await run(tsx, ['bin/app.ts', '-c', 'mode=sometimes'], {
      cwd: BUNDLER_WORKING_DIR,
      env,
    }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(2);
    expect(failed?.stderr).toContain('mode must be one of inline | event, got "sometimes"');
  });
});
