import { describe, expect, it } from 'vitest';
import { formatCents, parseMoney } from './money.js';

describe('parseMoney', () => {
  it.each([
    ['12.34', 1234],
    ['$12.34', 1234],
    ['.62', 62],
    ['$.62', 62],
    ['1,234.56', 123456],
    ['$5', 500],
    ['0.00', 0],
  ])('reads %s as %i cents', (text, cents) => {
    expect(parseMoney(text)).toBe(cents);
  });

  it.each([
    ['0.50-', -50],
    ['-0.50', -50],
    ['-$2.00', -200],
    ['$-2.00', -200],
    ['(1.00)', -100],
    ['($1.00)', -100],
    ['12.88-', -1288],
  ])('reads the negative %s as %i cents', (text, cents) => {
    expect(parseMoney(text)).toBe(cents);
  });

  it.each([
    '2',
    '12',
    '1.2',
    '1.234',
    '12:34',
    '2%',
    '7.5%',
    'TOTAL',
    '(1.00',
    '-1.00-',
    '1,23.45',
    '$',
    '.',
    '',
  ])('does not read %j as money', (text) => {
    expect(parseMoney(text)).toBeUndefined();
  });
});

describe('formatCents', () => {
  it('formats cents as dollars for reasoning texts', () => {
    expect(formatCents(9148)).toBe('$91.48');
    expect(formatCents(-50)).toBe('-$0.50');
    expect(formatCents(5)).toBe('$0.05');
  });
});
