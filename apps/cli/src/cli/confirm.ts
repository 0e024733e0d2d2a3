import { createInterface } from 'node:readline';
import type { CliIo } from './io.js';

/**
 * Asks a yes/no question on stderr and reads one line of stdin: only `y` or `yes` is a yes. An input that ends
 * without an answer (no terminal, `< /dev/null`) or an interrupt is a no.
 */
export async function confirm(io: CliIo, question: string): Promise<boolean> {
  io.stderr.write(`${question} [y/N] `);
  const lines = createInterface({ input: io.stdin, terminal: false });
  try {
    const answer = await new Promise<string | undefined>((resolve) => {
      lines.once('line', resolve);
      lines.once('close', () => resolve(undefined));
      io.signal.addEventListener('abort', () => resolve(undefined), { once: true });
    });
    if (answer === undefined) io.stderr.write('\n');
    return /^y(es)?$/i.test(answer?.trim() ?? '');
  } finally {
    lines.close();
  }
}
