import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

export interface LambdaContextOptions {
  readonly functionName: string;
  readonly region: string;
  readonly accountId: string;
  /** The function's timeout; `getRemainingTimeInMillis()` counts down from it. */
  readonly timeoutMs: number;
}

const unsupported = (name: string) => () => {
  throw new Error(`context.${name}() is not supported: return or throw from the async handler`);
};

/** A minimal Lambda context for one invocation: a fresh request id and a deadline `timeoutMs` from now. */
export function createLambdaContext(options: LambdaContextOptions): Context {
  const deadline = Date.now() + options.timeoutMs;
  const awsRequestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: options.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${options.region}:${options.accountId}:function:${options.functionName}`,
    memoryLimitInMB: '128',
    awsRequestId,
    logGroupName: `/aws/lambda/${options.functionName}`,
    logStreamName: `local/[$LATEST]${awsRequestId.replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
}
