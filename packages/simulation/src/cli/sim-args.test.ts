import { describe, expect, it } from 'vitest';
import { parseSimArgs, SimArgsError } from './sim-args.js';

const noCommit = () => undefined;

describe('parseSimArgs', () => {
  it('reads every option', () => {
    const args = parseSimArgs(
      [
        '--receipts',
        '200',
        '--seed',
        '42',
        '--faults',
        'heavy',
        '--only',
        '3,17',
        '--disable',
        'crash,r3.crash.0',
        '--trace',
        '--no-shrink',
      ],
      noCommit,
    );
    expect(args).toEqual({
      receipts: 200,
      seed: 42,
      seedSource: 'given',
      profile: 'heavy',
      only: new Set([3, 17]),
      disabled: new Set(['crash', 'r3.crash.0']),
      trace: true,
      shrink: false,
    });
  });

  it('takes the seed from the commit when none is given, and draws one with --seed random', () => {
    expect(parseSimArgs([], () => 0xdeadbeef)).toMatchObject({
      seed: 0xdeadbeef,
      seedSource: 'commit',
      receipts: 1000,
    });
    expect(parseSimArgs(['--seed', 'random'], () => 1)).toMatchObject({ seedSource: 'random' });
    expect(parseSimArgs([], noCommit)).toMatchObject({ seedSource: 'random', profile: 'standard' });
  });

  it('ignores the `--` pnpm may pass along', () => {
    expect(parseSimArgs(['--', '--receipts', '5'], noCommit).receipts).toBe(5);
  });

  it.each([
    [['--receipts', '0'], '--receipts must be a whole number from 1 to 1000000, got "0"'],
    [['--receipts', '1e3'], '--receipts must be a whole number from 1 to 1000000, got "1e3"'],
    [['--seed', '-1'], '--seed must be a whole number from 0 to 4294967295, got "-1"'],
    [['--seed', '4294967296'], '--seed must be a whole number from 0 to 4294967295, got "4294967296"'],
    [['--faults', 'lots'], '--faults must be one of none, standard, heavy, got "lots"'],
    [['--receipts', '10', '--only', '10'], "--only names receipts beyond the workload's 10"],
    [['--receipts'], '--receipts needs a value'],
    [['--verbose'], 'unknown argument "--verbose"'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseSimArgs(argv, noCommit)).toThrow(new SimArgsError(message));
  });
});
