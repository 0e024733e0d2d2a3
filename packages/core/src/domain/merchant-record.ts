import { InvalidValueError } from '../errors/invalid-value-error.js';
import { parseFinite } from './geometry.js';
import { describeValue, parseOneOf, parseOptionalString } from './ids.js';
import { withoutUndefined } from './optional.js';
import { parseReceiptRef, type ReceiptRef } from './receipt-ref.js';
import { parseTimestamp } from './timestamps.js';
import { isBlankText } from './visible-text.js';

/** How a merchant record was validated (`validated_by`), as the existing services spell it (case-sensitive). */
export const MERCHANT_VALIDATED_BY = [
  'PHONE_LOOKUP',
  'ADDRESS_LOOKUP',
  'NEARBY_LOOKUP',
  'TEXT_SEARCH',
  'INFERENCE',
] as const;
export type MerchantValidatedBy = (typeof MERCHANT_VALIDATED_BY)[number];

/**
 * The statuses the existing writers set. `validation_status` itself is a free string (it may be `""`): these are
 * what a writer derives, `MATCHED` from a confidence of at least MATCHED_CONFIDENCE, `NO_MATCH` without a place.
 */
export const MERCHANT_VALIDATION_STATUSES = ['MATCHED', 'UNSURE', 'NO_MATCH'] as const;
export type MerchantValidationStatus = (typeof MERCHANT_VALIDATION_STATUSES)[number];
export const MATCHED_CONFIDENCE = 0.8;

/**
 * The merchant a receipt belongs to, as the place lookup found it: RECEIPT_PLACE in the current table format
 * (RECEIPT_METADATA on tables that have not migrated, which hold a subset of these fields). Lists are empty and
 * optional values absent when unknown.
 */
export interface MerchantRecord extends ReceiptRef {
  /** The Google place id; "" when no place was matched. */
  readonly placeId: string;
  /** Non-empty, and its slug (`merchantSlug`) is non-empty too. */
  readonly merchantName: string;
  /** A free string, possibly "" (see MERCHANT_VALIDATION_STATUSES for what writers set). */
  readonly validationStatus: string;
  /** Of the place match, in [0, 1]; 0 when unknown. */
  readonly confidence: number;
  readonly timestamp: string;
  readonly validatedBy?: MerchantValidatedBy;
  readonly reasoning?: string;
  readonly matchedFields: readonly string[];
  readonly merchantCategory?: string;
  readonly merchantTypes: readonly string[];
  /** The formatted address (`formatted_address` in RECEIPT_PLACE, `address` in RECEIPT_METADATA). */
  readonly address?: string;
  readonly shortAddress?: string;
  readonly addressComponents?: Readonly<Record<string, unknown>>;
  readonly phoneNumber?: string;
  readonly phoneIntl?: string;
  readonly website?: string;
  readonly mapsUrl?: string;
  readonly businessStatus?: string;
  readonly plusCode?: string;
  readonly placesApiVersion?: string;
  readonly latitude?: number;
  readonly longitude?: number;
  readonly viewportNeLat?: number;
  readonly viewportNeLng?: number;
  readonly viewportSwLat?: number;
  readonly viewportSwLng?: number;
  readonly openNow?: boolean;
  readonly hoursSummary: readonly string[];
  readonly hoursData?: Readonly<Record<string, unknown>>;
  readonly photoReferences: readonly string[];
}

/** Fields whose change must reach the embedding snapshots (the "second compaction"). */
export const MERCHANT_SNAPSHOT_FIELDS = [
  'merchantName',
  'merchantCategory',
  'address',
  'phoneNumber',
  'placeId',
] as const satisfies readonly (keyof MerchantRecord)[];

/**
 * Everything the place lookup derived from the place itself: what no longer holds once the receipt turns out
 * to belong to another business (category, types, addresses, coordinates, phones, web addresses, hours, photos).
 */
export const PLACE_DERIVED_FIELDS = [
  'merchantCategory',
  'merchantTypes',
  'address',
  'shortAddress',
  'addressComponents',
  'latitude',
  'longitude',
  'viewportNeLat',
  'viewportNeLng',
  'viewportSwLat',
  'viewportSwLng',
  'phoneNumber',
  'phoneIntl',
  'website',
  'mapsUrl',
  'businessStatus',
  'plusCode',
  'placesApiVersion',
  'openNow',
  'hoursSummary',
  'hoursData',
  'photoReferences',
] as const satisfies readonly (keyof MerchantRecord)[];

const LIST_FIELDS = ['matchedFields', 'merchantTypes', 'hoursSummary', 'photoReferences'] as const;
const STRING_FIELDS = [
  'reasoning',
  'merchantCategory',
  'address',
  'shortAddress',
  'phoneNumber',
  'phoneIntl',
  'website',
  'mapsUrl',
  'businessStatus',
  'plusCode',
  'placesApiVersion',
] as const;
const COORDINATES = {
  latitude: 90,
  longitude: 180,
  viewportNeLat: 90,
  viewportNeLng: 180,
  viewportSwLat: 90,
  viewportSwLng: 180,
} as const;
const MAP_FIELDS = ['addressComponents', 'hoursData'] as const;

type Input = { [K in keyof MerchantRecord]?: unknown };

/**
 * The merchant name as an index key: upper-case, every run of characters outside ASCII letters and digits as one
 * `_`, no `_` at either end (`Joe's #1` -> `JOE_S_1`, `Café` -> `CAF`).
 */
export function merchantSlug(merchantName: string): string {
  return merchantName
    .toUpperCase()
    .replaceAll(/[^A-Z0-9]+/g, '_')
    .replaceAll(/^_+|_+$/g, '');
}

/**
 * Validates a merchant record. Errors name the attribute of the item it is read from (`RECEIPT_PLACE.place_id`,
 * or with `entity` another format's: `RECEIPT_METADATA.address`).
 */
export function parseMerchantRecord(input: Input, entity = 'RECEIPT_PLACE'): MerchantRecord {
  const placeId = input.placeId;
  if (typeof placeId !== 'string' || (placeId !== '' && isBlankText(placeId))) {
    throw new InvalidValueError(
      `${entity}.place_id`,
      `expected a place id or "", got ${describeValue(placeId)}`,
    );
  }
  const merchantName = input.merchantName;
  if (typeof merchantName !== 'string' || merchantSlug(merchantName) === '') {
    throw new InvalidValueError(
      `${entity}.merchant_name`,
      `expected a name with at least one letter or digit, got ${describeValue(merchantName)}`,
    );
  }
  const status = input.validationStatus === undefined ? '' : input.validationStatus;
  if (typeof status !== 'string') {
    throw new InvalidValueError(
      `${entity}.validation_status`,
      `expected a string, got ${describeValue(status)}`,
    );
  }
  const confidence = parseFinite(`${entity}.confidence`, input.confidence ?? 0);
  if (confidence < 0 || confidence > 1) {
    throw new InvalidValueError(`${entity}.confidence`, `expected a number in [0, 1], got ${confidence}`);
  }
  const validatedBy = parseOptionalString(`${entity}.validated_by`, input.validatedBy);
  const strings = Object.fromEntries(
    STRING_FIELDS.map((field) => [
      field,
      parseOptionalString(`${entity}.${attribute(entity, field)}`, input[field]),
    ]),
  );
  const lists = Object.fromEntries(
    LIST_FIELDS.map((field) => [field, parseList(entity, field, input[field])]),
  );
  const coordinates = Object.fromEntries(
    Object.entries(COORDINATES).map(([field, bound]) => [
      field,
      parseCoordinate(entity, field, input[field as keyof typeof COORDINATES], bound),
    ]),
  );
  const maps = Object.fromEntries(MAP_FIELDS.map((field) => [field, parseMap(entity, field, input[field])]));
  if (input.openNow !== undefined && input.openNow !== null && typeof input.openNow !== 'boolean') {
    throw new InvalidValueError(
      `${entity}.open_now`,
      `expected a boolean, got ${describeValue(input.openNow)}`,
    );
  }
  return withoutUndefined({
    ...parseReceiptRef(input as { imageId: unknown; receiptId: unknown }),
    placeId,
    merchantName,
    validationStatus: status,
    confidence,
    timestamp: parseTimestamp(`${entity}.timestamp`, input.timestamp),
    validatedBy:
      validatedBy === undefined
        ? undefined
        : parseOneOf(`${entity}.validated_by`, MERCHANT_VALIDATED_BY, validatedBy),
    ...strings,
    ...lists,
    ...coordinates,
    ...maps,
    openNow: (input.openNow ?? undefined) as boolean | undefined,
  }) as MerchantRecord;
}

/**
 * Validates a replacement of `expected` (a record as read) by `next`: of the same receipt, valid, and changing
 * something. Returns `next` as parsed.
 */
export function parseMerchantRecordChange(expected: MerchantRecord, next: MerchantRecord): MerchantRecord {
  const parsed = parseMerchantRecord(next);
  if (parsed.imageId !== expected.imageId || parsed.receiptId !== expected.receiptId) {
    throw new InvalidValueError(
      'merchant record',
      `a change must keep the receipt (${expected.imageId}/${expected.receiptId}), got ${parsed.imageId}/${parsed.receiptId}`,
    );
  }
  if (sameMerchantRecord(parsed, expected)) {
    throw new InvalidValueError('merchant record', 'a change must change at least one field');
  }
  return parsed;
}

/** Whether two records hold the same values (lists compared as sets, as a string set has no order). */
export function sameMerchantRecord(a: MerchantRecord, b: MerchantRecord): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_, entry: unknown) => {
    if (Array.isArray(entry) && entry.every((item) => typeof item === 'string')) return [...entry].sort();
    if (typeof entry === 'object' && entry !== null && !Array.isArray(entry)) {
      return Object.fromEntries(
        Object.entries(entry)
          .filter(([, v]) => v !== undefined)
          .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)),
      );
    }
    return entry;
  });
}

/** A list of strings: blank entries (see isBlankText) dropped, duplicates removed (first kept); absent reads as []. */
function parseList(entity: string, field: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== 'string')) {
    throw new InvalidValueError(
      `${entity}.${attribute(entity, field)}`,
      `expected a list of strings, got ${describeValue(value)}`,
    );
  }
  return [...new Set((value as string[]).filter((entry) => !isBlankText(entry)))];
}

function parseCoordinate(entity: string, field: string, value: unknown, bound: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const number = parseFinite(`${entity}.${attribute(entity, field)}`, value);
  if (Math.abs(number) > bound) {
    throw new InvalidValueError(
      `${entity}.${attribute(entity, field)}`,
      `expected a number in [-${bound}, ${bound}], got ${number}`,
    );
  }
  return number;
}

/** A map; an empty one reads as absent (it is omitted when written). */
function parseMap(entity: string, field: string, value: unknown): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidValueError(
      `${entity}.${attribute(entity, field)}`,
      `expected a map, got ${describeValue(value)}`,
    );
  }
  return Object.keys(value).length === 0 ? undefined : (value as Record<string, unknown>);
}

/** `viewportNeLat` -> `viewport_ne_lat`; `address` is `formatted_address` in RECEIPT_PLACE. */
function attribute(entity: string, field: string): string {
  if (field === 'address' && entity === 'RECEIPT_PLACE') return 'formatted_address';
  return field.replaceAll(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}
