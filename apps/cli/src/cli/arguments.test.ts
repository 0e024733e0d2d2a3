import { InvalidArgumentError } from '@commander-js/extra-typings';
import { describe, expect, it } from 'vitest';
import {
  durationArgument,
  formatDuration,
  imageIdArgument,
  positiveIntegerArgument,
  receiptIdArgument,
} from './arguments.js';

describe('command-line arguments', () => {
  it('takes an image id that is a UUID of version 4 or 5, lower-cased, and nothing else', () => {
    expect(imageIdArgument('3F2C9A4E-8B1D-4C6E-9F0A-2B7D5E1C8A93')).toBe(
      '3f2c9a4e-8b1d-4c6e-9f0a-2b7d5e1c8a93',
    );
    for (const bad of [
      'receipt-1',
      '',
      '3f2c9a4e-8b1d-1c6e-9f0a-2b7d5e1c8a93',
      '3f2c9a4e8b1d4c6e9f0a2b7d5e1c8a93',
    ]) {
      expect(() => imageIdArgument(bad), bad).toThrow(InvalidArgumentError);
    }
  });

  it('takes a receipt id from 1 to 99999 written in digits only', () => {
    expect(receiptIdArgument('1')).toBe(1);
    expect(receiptIdArgument('99999')).toBe(99_999);
    for (const bad of ['0', '-3', '1.5', '1e3', ' 2', '100000', 'one', '']) {
      expect(() => receiptIdArgument(bad), bad).toThrow(InvalidArgumentError);
    }
  });

  it('reads durations with a unit, a bare number as seconds', () => {
    expect(durationArgument('500ms')).toBe(500);
    expect(durationArgument('90s')).toBe(90_000);
    expect(durationArgument('2m')).toBe(120_000);
    expect(durationArgument('1.5h')).toBe(5_400_000);
    expect(durationArgument('7d')).toBe(604_800_000);
    expect(durationArgument('30')).toBe(30_000);
    for (const bad of ['soon', '0', '0s', '-1m', '2 m', '10w', '400d', '']) {
      expect(() => durationArgument(bad), bad).toThrow(InvalidArgumentError);
    }
  });

  it('takes counts of at least 1', () => {
    expect(positiveIntegerArgument('50')).toBe(50);
    for (const bad of ['0', '-1', '2.5', 'x']) expect(() => positiveIntegerArgument(bad), bad).toThrow();
  });

  it('prints durations for people', () => {
    expect(formatDuration(4)).toBe('4 ms');
    expect(formatDuration(1_500)).toBe('1.5 s');
    expect(formatDuration(600_000)).toBe('10m');
    expect(formatDuration(97_000)).toBe('1m 37s');
    expect(formatDuration(3_660_000)).toBe('1h 1m');
    expect(formatDuration(3 * 86_400_000 + 3_600_000)).toBe('3d 1h');
  });
});
