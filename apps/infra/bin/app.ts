// The CDK app's entry point. `pnpm synth` runs it directly (tsx bin/app.ts [-c key=value]...): bundles built
// with the local esbuild, no CDK CLI, so no credentials and no network, the template written to
// cdk.out/ReceiptGate.template.json. `cdk deploy` runs it through cdk.json, passing the context itself.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ContextArgumentError, contextFromArgs } from '../src/app/context-args.js';
import { addReceiptGateStack, createReceiptGateApp, STACK_NAME } from '../src/app/receipt-gate-app.js';
import { buildFunctionBundles, bundleDirs } from '../src/bundling/function-bundles.js';
import { SettingsError } from '../src/stack/settings.js';

const infraDir = fileURLToPath(new URL('..', import.meta.url));
const byCli = process.env.CDK_OUTDIR !== undefined;
const outdir = join(infraDir, 'cdk.out');

try {
  const started = performance.now();
  // Run by the CLI, the context (cdk.json, -c) arrives through the environment; run directly, it is read here.
  const context = byCli ? undefined : { ...cdkJsonContext(), ...contextFromArgs(process.argv.slice(2)) };
  const { app, settings } = createReceiptGateApp({ ...(context && { context }), ...(!byCli && { outdir }) });
  addReceiptGateStack(
    app,
    settings,
    bundleDirs(await buildFunctionBundles(join(infraDir, '.bundles', 'synth'))),
  );
  const assembly = app.synth();
  if (!byCli) {
    const messages = assembly.stacks.flatMap((stack) => stack.messages);
    for (const { level, id, entry } of messages) console.error(`[${level}] ${id}: ${String(entry.data)}`);
    if (messages.some((message) => message.level === 'error')) process.exit(1);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`${join(outdir, `${STACK_NAME}.template.json`)} written in ${seconds} s`);
  }
} catch (error) {
  if (!(error instanceof SettingsError || error instanceof ContextArgumentError)) throw error;
  console.error(error.message);
  process.exit(2);
}

function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(infraDir, 'cdk.json'), 'utf8')) as { context?: object };
  return { ...cdkJson.context };
}
