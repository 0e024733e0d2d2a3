#!/usr/bin/env node
// The `receipt-gate` command. The CLI runs from its TypeScript sources through tsx, as the demo always has, so it
// needs no build of its own; the workspace packages it imports must be built (`pnpm rg` builds them first).
import { register } from 'tsx/esm/api';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { runCli } = await import('../src/cli/main.ts');
const { processIo } = await import('../src/cli/io.ts');

// The first Ctrl-C asks a command to stop (a wait ends as aborted); a second one ends the process at once. The
// demo, bench and eval keep their own handling: they stop the local servers they started.
const interrupt = new AbortController();
if (!['demo', 'bench', 'eval'].includes(process.argv[2] ?? '')) {
  process.on('SIGINT', () => {
    if (interrupt.signal.aborted) process.exit(130);
    interrupt.abort();
  });
}
const code = await runCli(process.argv.slice(2), processIo(interrupt.signal));
// Explicit: SDK clients, LanceDB or a local server may hold handles open after the work is done.
process.exit(code);
