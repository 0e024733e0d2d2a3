import {
  ConditionalCheckFailedException,
  InternalServerError,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { TransientStoreError } from '@receipt-gate/core';
import { describe, expect, it } from 'vitest';
import { classified, classifyError, isTransientError } from './classify-error.js';

const metadata = (httpStatusCode: number) => ({ httpStatusCode, attempts: 3, totalRetryDelay: 0 });

// Errors shaped as the SDK throws them: a name, `$metadata.httpStatusCode`, sometimes `$retryable`.
function sdkError(name: string, httpStatusCode: number, extra: object = {}): Error {
  return Object.assign(new Error(`${name} happened`), {
    name,
    $fault: 'server',
    $metadata: metadata(httpStatusCode),
    ...extra,
  });
}

function networkError(code: string, message = `connect ${code}`): Error {
  return Object.assign(new Error(message), { code });
}

function abortError(cause?: unknown): Error {
  return Object.assign(new Error('Request aborted'), { name: 'AbortError', cause });
}

describe('isTransientError', () => {
  it.each([
    [
      'ProvisionedThroughputExceededException',
      new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: metadata(400) }),
    ],
    ['ThrottlingException', sdkError('ThrottlingException', 400)],
    ['RequestLimitExceeded', sdkError('RequestLimitExceeded', 400)],
    [
      'a throttling error marked $retryable',
      sdkError('SomethingNew', 400, { $retryable: { throttling: true } }),
    ],
    ['InternalServerError', new InternalServerError({ message: 'oops', $metadata: metadata(500) })],
    ['ServiceUnavailable', sdkError('ServiceUnavailable', 503)],
    ['any 5xx', sdkError('UnknownError', 502)],
    ['TransactionConflictException', sdkError('TransactionConflictException', 400)],
    ['ECONNRESET', networkError('ECONNRESET')],
    ['ECONNREFUSED', networkError('ECONNREFUSED')],
    ['ETIMEDOUT', networkError('ETIMEDOUT')],
    ['socket hang up', networkError('ECONNRESET', 'socket hang up')],
    ['a socket hang up without a code', new Error('socket hang up')],
    ['an SDK TimeoutError', Object.assign(new Error('socket timed out'), { name: 'TimeoutError' })],
    ['an abort caused by a timeout', abortError(new DOMException('signal timed out', 'TimeoutError'))],
  ])('treats %s as transient', (_, error) => {
    expect(isTransientError(error)).toBe(true);
  });

  it.each([
    ['AccessDeniedException', sdkError('AccessDeniedException', 400)],
    ['ValidationException', sdkError('ValidationException', 400)],
    [
      'ResourceNotFoundException',
      new ResourceNotFoundException({ message: 'no table', $metadata: metadata(400) }),
    ],
    [
      'ConditionalCheckFailedException',
      new ConditionalCheckFailedException({ message: 'no', $metadata: metadata(400) }),
    ],
    ['an abort by the caller', abortError(new DOMException('aborted', 'AbortError'))],
    ['an abort without a reason', abortError()],
    ['a programming error', new TypeError('x is not a function')],
    ['a string', 'ECONNRESET'],
    ['undefined', undefined],
  ])('treats %s as permanent', (_, error) => {
    expect(isTransientError(error)).toBe(false);
  });
});

describe('classifyError', () => {
  it('wraps a transient error in TransientStoreError, keeping it as the cause', () => {
    const throttled = sdkError('ThrottlingException', 400);
    const wrapped = classifyError('GetItem', throttled);
    expect(wrapped).toBeInstanceOf(TransientStoreError);
    expect((wrapped as TransientStoreError).cause).toBe(throttled);
    expect((wrapped as Error).message).toContain('GetItem');
  });

  it('returns a permanent error as it is', () => {
    const denied = sdkError('AccessDeniedException', 400);
    expect(classifyError('GetItem', denied)).toBe(denied);
  });

  it('classifies what a call throws and passes its result through', async () => {
    await expect(classified('Query', async () => 42)).resolves.toBe(42);
    await expect(
      classified('Query', async () => {
        throw networkError('ECONNRESET');
      }),
    ).rejects.toBeInstanceOf(TransientStoreError);
  });
});
