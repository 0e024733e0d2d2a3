import { describe, expect, it } from 'vitest';
import { holdsFields } from './holds-fields.js';

describe('holdsFields', () => {
  it('compares lists item by item, in order', () => {
    expect(holdsFields({ labels: ['DATE', 'TAX'] }, { labels: ['DATE', 'TAX'] })).toBe(true);
    expect(holdsFields({ labels: ['DATE', 'TAX'] }, { labels: ['DATE', 'TIP'] })).toBe(false);
    expect(holdsFields({ labels: ['TAX', 'DATE'] }, { labels: ['DATE', 'TAX'] })).toBe(false);
    expect(holdsFields({ labels: ['DATE'] }, { labels: ['DATE', 'TAX'] })).toBe(false);
  });

  it('never takes a list for a value that is not one', () => {
    expect(holdsFields({ labels: 'DATE' }, { labels: ['DATE'] })).toBe(false);
    expect(holdsFields({ labels: ['DATE'] }, { labels: 'DATE' })).toBe(false);
    // A one-letter string has the length and the first item of a one-letter list: still not the list.
    expect(holdsFields({ labels: 'D' }, { labels: ['D'] })).toBe(false);
  });

  it('holds the fields asked for and ignores the others', () => {
    expect(holdsFields({ merchant_name: 'QUICKFUEL', text: 'x' }, { merchant_name: 'QUICKFUEL' })).toBe(true);
    expect(holdsFields({ text: 'x' }, { merchant_name: '' })).toBe(false);
  });
});
