export class ContextArgumentError extends Error {
  override readonly name = 'ContextArgumentError';
}

/**
 * `-c key=value` / `--context key=value` arguments, as the CDK CLI takes them, so `pnpm synth` (which runs the app
 * without the CLI, hence offline and without credentials) accepts the same settings as `cdk deploy`.
 */
export function contextFromArgs(args: readonly string[]): Record<string, string> {
  const context: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg !== '-c' && arg !== '--context') throw new ContextArgumentError(`unknown argument "${arg}"`);
    const pair = args[++i];
    const eq = pair?.indexOf('=') ?? -1;
    if (!pair || eq <= 0) throw new ContextArgumentError(`${arg} needs key=value, got "${pair ?? ''}"`);
    context[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return context;
}
