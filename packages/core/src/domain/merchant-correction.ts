import { InvalidValueError } from '../errors/invalid-value-error.js';
import {
  type MerchantRecord,
  merchantSlug,
  PLACE_DERIVED_FIELDS,
  parseMerchantRecord,
} from './merchant-record.js';

/** The fields a validation may correct, each to what the receipt prints. */
export type MerchantCorrection = Partial<Pick<MerchantRecord, 'merchantName' | 'address' | 'phoneNumber'>>;

// A Record, so a field added to MerchantCorrection cannot be forgotten here.
const CORRECTABLE: Readonly<Record<keyof MerchantCorrection, true>> = {
  merchantName: true,
  address: true,
  phoneNumber: true,
};

/** The fields a validation may correct. */
export const MERCHANT_CORRECTION_FIELDS = Object.keys(CORRECTABLE) as (keyof MerchantCorrection)[];

export function isCorrectableField(field: string): field is keyof MerchantCorrection {
  return Object.hasOwn(CORRECTABLE, field);
}

/**
 * The part of `correction` that changes `record`: fields that are correctable and given a non-blank value that
 * differs from the record's. A blank value corrects nothing (a correction sets what the receipt prints).
 */
export function correctionChanges(
  record: MerchantRecord,
  correction: MerchantCorrection,
): MerchantCorrection {
  return Object.fromEntries(
    Object.entries(correction).filter(
      ([field, value]) =>
        isCorrectableField(field) &&
        typeof value === 'string' &&
        value.trim() !== '' &&
        value !== record[field],
    ),
  ) as MerchantCorrection;
}

/** Whether `merchantName` names another business than the record (case and punctuation alone do not). */
export function isOtherBusiness(record: MerchantRecord, merchantName: string): boolean {
  return merchantSlug(merchantName) !== merchantSlug(record.merchantName);
}

export interface MerchantCorrectionContext {
  /** When the correction is made (the record's new timestamp). */
  readonly at: string;
  /** Why (the record's new reasoning). */
  readonly reasoning: string;
}

/**
 * The record after a validation's correction, with the field set the existing services' own correction tool
 * writes: the corrected name, address and phone, `validated_by` INFERENCE, the reasoning and the timestamp. When
 * the name names another business, everything derived from the old place goes (PLACE_DERIVED_FIELDS, the place
 * id, its matched fields), and the record says so: no place, confidence 0, NO_MATCH. Otherwise the place match
 * stands, with its confidence, status and matched fields.
 */
export function correctMerchantRecord(
  record: MerchantRecord,
  correction: MerchantCorrection,
  context: MerchantCorrectionContext,
): MerchantRecord {
  const changes = correctionChanges(record, correction);
  if (Object.keys(changes).length === 0) {
    throw new InvalidValueError('merchant correction', 'changes nothing in the record');
  }
  const otherBusiness = changes.merchantName !== undefined && isOtherBusiness(record, changes.merchantName);
  const kept: Record<string, unknown> = { ...record };
  if (otherBusiness) for (const field of PLACE_DERIVED_FIELDS) delete kept[field];
  return parseMerchantRecord({
    ...kept,
    ...(otherBusiness && { placeId: '', confidence: 0, validationStatus: 'NO_MATCH', matchedFields: [] }),
    ...changes,
    validatedBy: 'INFERENCE',
    reasoning: context.reasoning,
    timestamp: context.at,
  });
}
