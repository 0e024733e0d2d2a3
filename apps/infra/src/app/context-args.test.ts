import { describe, expect, it } from 'vitest';
import { ContextArgumentError, contextFromArgs } from './context-args.js';

describe('context arguments', () => {
  it('read -c and --context key=value pairs as the CDK CLI does', () => {
    expect(contextFromArgs(['-c', 'mode=event', '--context', 'embeddingsUri=s3://b/p=q'])).toEqual({
      mode: 'event',
      embeddingsUri: 's3://b/p=q',
    });
  });

  it.each([[['mode=event']], [['-c']], [['-c', '=x']], [['-c', 'mode']]])('refuse %j', (args) => {
    expect(() => contextFromArgs(args)).toThrow(ContextArgumentError);
  });
});
