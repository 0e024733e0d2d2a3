import type { MerchantCorrection } from '../domain/merchant-correction.js';
import type { MerchantRecord } from '../domain/merchant-record.js';
import type { MetadataVerdict } from '../ports/receipt-analyzer.js';
import { comparisonTokens, phoneDigits, textSimilarity, tokenContainment } from './similarity.js';

/** What the receipt itself says about its merchant. */
export interface ReceiptEvidence {
  /** The name printed in the header above the address or phone, when there is one. */
  readonly merchantName?: string;
  /** Phone numbers as printed, header first. */
  readonly phones: readonly string[];
  /** The address lines as printed, joined with ", ". */
  readonly address?: string;
  /** Every line's text and the web addresses: where else the metadata's name may appear. */
  readonly lineTexts: readonly string[];
  readonly websites: readonly string[];
}

// Below this a header name contradicts the metadata's name; above, they are taken to be the same merchant.
const MERCHANT_SIMILARITY = 0.6;
// A line containing this share of the metadata name's words mentions it.
const MENTION_CONTAINMENT = 0.8;
// Below this an address contradicts the metadata's; above, it is the same place written differently.
const ADDRESS_SIMILARITY = 0.5;

const ADDRESS_ABBREVIATIONS: Readonly<Record<string, string>> = {
  STREET: 'ST',
  AVENUE: 'AVE',
  AV: 'AVE',
  ROAD: 'RD',
  BOULEVARD: 'BLVD',
  DRIVE: 'DR',
  HIGHWAY: 'HWY',
  LANE: 'LN',
  PARKWAY: 'PKWY',
  COURT: 'CT',
  PLACE: 'PL',
  CIRCLE: 'CIR',
  TERRACE: 'TER',
  TRAIL: 'TRL',
  SUITE: 'STE',
  NORTH: 'N',
  SOUTH: 'S',
  EAST: 'E',
  WEST: 'W',
  UNITED: '',
  STATES: '',
};

type FieldCheck =
  | { readonly kind: 'consistent'; readonly note: string }
  | { readonly kind: 'unknown'; readonly note: string }
  | { readonly kind: 'contradicted'; readonly note: string; readonly correction: MerchantCorrection };

/**
 * Compares the metadata's merchant name, phone and address with the receipt. A field is corrected only when
 * the receipt clearly says something else, and only to what the receipt prints; a field the receipt does not
 * show is left alone.
 */
export function judgeMetadata(metadata: MerchantRecord, evidence: ReceiptEvidence): MetadataVerdict {
  const checks = [
    checkMerchant(metadata, evidence),
    checkPhone(metadata, evidence),
    checkAddress(metadata, evidence),
  ];
  const contradicted = checks.filter((c) => c.kind === 'contradicted');
  const corrections = Object.assign({}, ...contradicted.map((c) => c.correction)) as MerchantCorrection;
  const notes = checks.map((c) => c.note).join('; ');
  return contradicted.length === 0
    ? { matches: true, corrections: {}, reasoning: `metadata consistent with the receipt: ${notes}` }
    : {
        matches: false,
        corrections,
        reasoning: `receipt contradicts ${Object.keys(corrections).join(', ')}: ${notes}`,
      };
}

function checkMerchant(metadata: MerchantRecord, evidence: ReceiptEvidence): FieldCheck {
  const name = metadata.merchantName;
  if (isMentioned(name, evidence)) {
    return { kind: 'consistent', note: `merchantName "${name}" appears on the receipt` };
  }
  const header = evidence.merchantName;
  if (!header) return { kind: 'unknown', note: 'merchantName: no name printed above the address or phone' };
  const score = textSimilarity(header, name);
  const note = `merchantName "${metadata.merchantName}" vs header "${header}" (similarity ${score.toFixed(2)})`;
  return score >= MERCHANT_SIMILARITY
    ? { kind: 'consistent', note }
    : {
        kind: 'contradicted',
        note,
        correction: { merchantName: header },
      };
}

/** Whether a line or a web address of the receipt names the merchant ("kroger.com" names Kroger). */
function isMentioned(name: string, evidence: ReceiptEvidence): boolean {
  const compact = comparisonTokens(name).join('');
  if (compact.length < 3) return false;
  return (
    evidence.lineTexts.some((line) => tokenContainment(name, line) >= MENTION_CONTAINMENT) ||
    evidence.websites.some((site) => comparisonTokens(site).join('').includes(compact))
  );
}

function checkPhone(metadata: MerchantRecord, evidence: ReceiptEvidence): FieldCheck {
  if (!metadata.phoneNumber) return { kind: 'unknown', note: 'phoneNumber: none in the metadata' };
  const wanted = phoneDigits(metadata.phoneNumber);
  const first = evidence.phones[0];
  if (!first) return { kind: 'unknown', note: 'phoneNumber: no phone number on the receipt' };
  if (evidence.phones.some((phone) => phoneDigits(phone) === wanted)) {
    return {
      kind: 'consistent',
      note: `phoneNumber ${metadata.phoneNumber} printed on the receipt (digits match)`,
    };
  }
  return {
    kind: 'contradicted',
    note: `phoneNumber ${metadata.phoneNumber} vs receipt ${evidence.phones.join(', ')} (digits differ)`,
    correction: { phoneNumber: first },
  };
}

function checkAddress(metadata: MerchantRecord, evidence: ReceiptEvidence): FieldCheck {
  if (!metadata.address) return { kind: 'unknown', note: 'address: none in the metadata' };
  if (!evidence.address) return { kind: 'unknown', note: 'address: no address on the receipt' };
  const score = textSimilarity(normalizeAddress(metadata.address), normalizeAddress(evidence.address));
  const numbers = [streetNumber(metadata.address), streetNumber(evidence.address)];
  const numbersDiffer = numbers.every((n) => n !== undefined) && numbers[0] !== numbers[1];
  const note = `address "${metadata.address}" vs receipt "${evidence.address}" (similarity ${score.toFixed(2)}${
    numbersDiffer ? ', street numbers differ' : ''
  })`;
  return score >= ADDRESS_SIMILARITY && !numbersDiffer
    ? { kind: 'consistent', note }
    : { kind: 'contradicted', note, correction: { address: evidence.address } };
}

function normalizeAddress(address: string): string {
  return comparisonTokens(address)
    .map((token) => ADDRESS_ABBREVIATIONS[token] ?? token)
    .filter((token) => token !== '')
    .join(' ');
}

/** The leading house number of an address ("1450 W Chestnut St" -> 1450), or undefined. */
function streetNumber(address: string): string | undefined {
  return /^\s*(\d+)/.exec(address)?.[1];
}
