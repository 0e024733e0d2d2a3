import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';

/**
 * What an SDK client sent, counted by middleware in the client itself: the commands as the code sends them, each
 * HTTP attempt (the SDK's retries included), and the actions of its transactions. Nothing sits between the client
 * and the database, so counting costs the measured process next to nothing.
 */
export class RequestCounts {
  /** Commands sent, by operation (`GetItem`), once each however many attempts they took. */
  readonly commands = new Map<string, number>();
  /** HTTP requests sent, by operation: each attempt of a command, its retries included. */
  readonly attempts = new Map<string, number>();
  /** Actions (puts, deletes, condition checks) in the TransactWriteItems commands sent. */
  transactionActions = 0;

  /** Counts what `client` sends from now on. */
  attach(client: DynamoDBClient | DynamoDBStreamsClient): void {
    const stack = client.middlewareStack as DynamoDBClient['middlewareStack'];
    stack.add(
      (next, context) => (args) => {
        const operation = operationOf(context.commandName);
        increment(this.commands, operation);
        const actions = (args.input as { TransactItems?: readonly unknown[] }).TransactItems;
        if (operation === 'TransactWriteItems') this.transactionActions += actions?.length ?? 0;
        return next(args);
      },
      { step: 'initialize', name: 'countCommands' },
    );
    // Below the retry middleware (finalizeRequest, high priority), so it runs once per attempt.
    stack.add(
      (next, context) => (args) => {
        increment(this.attempts, operationOf(context.commandName));
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'countAttempts' },
    );
  }

  /** The counts now, to subtract from later ones. */
  snapshot(): RequestCountsSnapshot {
    return {
      commands: new Map(this.commands),
      attempts: new Map(this.attempts),
      transactionActions: this.transactionActions,
    };
  }

  /** What was sent since `before`. */
  since(before: RequestCountsSnapshot): RequestCountsSnapshot {
    return {
      commands: difference(this.commands, before.commands),
      attempts: difference(this.attempts, before.attempts),
      transactionActions: this.transactionActions - before.transactionActions,
    };
  }
}

export interface RequestCountsSnapshot {
  readonly commands: ReadonlyMap<string, number>;
  readonly attempts: ReadonlyMap<string, number>;
  readonly transactionActions: number;
}

/** `GetItemCommand` → `GetItem`, the operation's name on the wire. */
const operationOf = (commandName: string | undefined) => (commandName ?? 'unknown').replace(/Command$/, '');

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function difference(after: ReadonlyMap<string, number>, before: ReadonlyMap<string, number>) {
  const result = new Map<string, number>();
  for (const [key, count] of after) {
    const delta = count - (before.get(key) ?? 0);
    if (delta > 0) result.set(key, delta);
  }
  return result;
}
