import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * The shared table's current item format, written down as rules and checked on raw items: keys and GSI templates
 * (padding, the merchant slug), attribute types, number formats, enums, and RECEIPT_PLACE's closed attribute set.
 * It follows the format's description, not our codecs, so it catches our writers' mistakes instead of repeating
 * them.
 *
 * Two strictnesses: `written` is how the existing services' writers write an item (what every item we write must
 * look like); `readable` is what their parsers accept (legacy forms included: string sets, JSON strings, missing
 * confidence), which items other services wrote must still be after our flow has run over them.
 */
export type FormatStrictness = 'written' | 'readable';

type Item = Record<string, AttributeValue>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[45][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const PAD5 = '(\\d{5})';
const EMBEDDING_STATUSES = ['NONE', 'PENDING', 'SUCCESS', 'FAILED', 'NOISE'];
const LABEL_STATUSES = ['NONE', 'PENDING', 'VALID', 'INVALID', 'NEEDS_REVIEW'];
const RUN_STATES = ['PENDING', 'PROCESSING', 'COMPLETED', 'FAILED'];
const VALIDATED_BY = ['PHONE_LOOKUP', 'ADDRESS_LOOKUP', 'NEARBY_LOOKUP', 'TEXT_SEARCH', 'INFERENCE'];
const LEGACY_METADATA_STATUSES = ['MATCHED', 'NO_MATCH', 'UNSURE'];
// Python's datetime.fromisoformat: date, optional time (any fraction), optional offset.
const ISO =
  /^\d{4}-?\d{2}-?\d{2}([T ]\d{2}(:?\d{2}(:?\d{2}([.,]\d+)?)?)?(Z|[+-]\d{2}(:?\d{2}(:?\d{2}(\.\d+)?)?)?)?)?$/;

const PLACE_STRINGS = [
  'merchant_category',
  'formatted_address',
  'short_address',
  'phone_number',
  'phone_intl',
  'website',
  'maps_url',
  'business_status',
  'plus_code',
  'reasoning',
  'places_api_version',
];
const PLACE_LISTS = ['matched_fields', 'merchant_types', 'hours_summary', 'photo_references'];
const PLACE_COORDINATES: Record<string, number> = {
  latitude: 90,
  longitude: 180,
  viewport_ne_lat: 90,
  viewport_ne_lng: 180,
  viewport_sw_lat: 90,
  viewport_sw_lng: 180,
};
const PLACE_MAPS = ['address_components', 'hours_data'];
const PLACE_ATTRIBUTES = new Set([
  'PK',
  'SK',
  'TYPE',
  'GSI1PK',
  'GSI1SK',
  'GSI2PK',
  'GSI2SK',
  'GSI3PK',
  'GSI3SK',
  'GSI4PK',
  'GSI4SK',
  'image_id',
  'receipt_id',
  'place_id',
  'merchant_name',
  'validation_status',
  'confidence',
  'timestamp',
  'validated_by',
  'open_now',
  ...PLACE_STRINGS,
  ...PLACE_LISTS,
  ...Object.keys(PLACE_COORDINATES),
  ...PLACE_MAPS,
]);

/** The violations of the current format in one raw item; empty when it fits. */
export function checkItemFormat(item: Item, strictness: FormatStrictness = 'written'): string[] {
  const check = new Checker(item, strictness);
  const type = item.TYPE?.S;
  switch (type) {
    case 'RECEIPT_LINE':
      checkText(check, false);
      break;
    case 'RECEIPT_WORD':
      checkText(check, true);
      break;
    case 'RECEIPT_WORD_LABEL':
      checkLabel(check);
      break;
    case 'RECEIPT_PLACE':
      checkPlace(check);
      break;
    case 'COMPACTION_RUN':
      checkRun(check);
      break;
    case 'RECEIPT_METADATA':
      checkLegacyMetadata(check);
      break;
    default:
      check.fail('TYPE', `is not a type this format describes (${JSON.stringify(type)})`);
  }
  return check.violations;
}

class Checker {
  readonly violations: string[] = [];
  readonly imageId: string;

  constructor(
    readonly item: Item,
    readonly strictness: FormatStrictness,
  ) {
    this.imageId = /^IMAGE#(.*)$/.exec(item.PK?.S ?? '')?.[1] ?? '';
    if (!UUID.test(this.imageId)) this.fail('PK', `must be IMAGE#<uuid v4|v5>, got ${show(item.PK)}`);
  }

  fail(attribute: string, problem: string): void {
    this.violations.push(`${this.item.TYPE?.S ?? '?'} ${this.item.SK?.S ?? '?'}: ${attribute} ${problem}`);
  }

  /** The SK's groups, or undefined (reported) when it does not fit. */
  sk(pattern: string): string[] | undefined {
    const match = new RegExp(`^${pattern}$`).exec(this.item.SK?.S ?? '');
    if (!match) this.fail('SK', `must match ${pattern}, got ${show(this.item.SK)}`);
    return match?.slice(1);
  }

  /**
   * An index key: as the format builds it. Read, an absent one is tolerated (items older than an index lack it),
   * a present one must still be right.
   */
  key(attribute: string, expected: string | undefined): void {
    if (this.strictness === 'readable' && this.item[attribute] === undefined) return;
    this.equals(attribute, expected);
  }

  equals(attribute: string, expected: string | undefined): void {
    const value = this.item[attribute];
    if (expected === undefined) {
      if (value !== undefined) this.fail(attribute, `must be absent, got ${show(value)}`);
    } else if (value?.S !== expected) {
      this.fail(attribute, `must be ${JSON.stringify(expected)}, got ${show(value)}`);
    }
  }

  /** The attribute as a string, when it is S (reported otherwise, unless `nullable` and NULL or absent). */
  string(attribute: string, options: { nullable?: boolean; optional?: boolean } = {}): string | undefined {
    const value = this.item[attribute];
    if (value?.S !== undefined) return value.S;
    if (value === undefined ? options.optional || options.nullable : value.NULL && options.nullable) return;
    this.fail(attribute, `must be S${options.nullable ? ' or NULL' : ''}, got ${show(value)}`);
    return undefined;
  }

  /** A number attribute's text, when it is N with at most `decimals` decimals. */
  number(attribute: string, options: { decimals?: number; optional?: boolean } = {}): number | undefined {
    const value = this.item[attribute];
    if (value === undefined && options.optional) return undefined;
    return this.numberValue(attribute, value, options.decimals);
  }

  numberValue(path: string, value: AttributeValue | undefined, decimals?: number): number | undefined {
    if (value?.N === undefined || !/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value.N)) {
      this.fail(path, `must be N, got ${show(value)}`);
      return undefined;
    }
    const places = /\.(\d+)/.exec(value.N.replace(/0+$/, '').replace(/\.$/, ''))?.[1]?.length ?? 0;
    // The number of decimals is how writers write; a reader takes any.
    if (
      decimals !== undefined &&
      this.strictness === 'written' &&
      (places > decimals || /[eE]/.test(value.N))
    ) {
      this.fail(path, `must have at most ${decimals} decimals, got ${value.N}`);
    }
    return Number(value.N);
  }

  oneOf(
    attribute: string,
    allowed: readonly string[],
    options: { missingAs?: string } = {},
  ): string | undefined {
    const value = this.item[attribute];
    if ((value === undefined || value.NULL) && options.missingAs !== undefined) return options.missingAs;
    if (value?.S === undefined || !allowed.includes(value.S)) {
      this.fail(attribute, `must be one of ${allowed.join(' | ')}, got ${show(value)}`);
      return undefined;
    }
    return value.S;
  }

  timestamp(attribute: string, options: { nullable?: boolean } = {}): void {
    const value = this.string(attribute, options);
    if (value !== undefined && !ISO.test(value))
      this.fail(attribute, `must be an ISO-8601 timestamp, got ${value}`);
  }

  bool(attribute: string, options: { optional?: boolean } = {}): void {
    const value = this.item[attribute];
    if (value === undefined && options.optional) return;
    if (value?.BOOL === undefined) this.fail(attribute, `must be BOOL, got ${show(value)}`);
  }
}

function checkText(check: Checker, isWord: boolean): void {
  const ids = check.sk(isWord ? `RECEIPT#${PAD5}#LINE#${PAD5}#WORD#${PAD5}` : `RECEIPT#${PAD5}#LINE#${PAD5}`);
  if (ids && Number(ids[0]) < 1) check.fail('SK', 'must name a receipt id > 0');
  const sk = check.item.SK?.S ?? '';
  const [r5 = '', l5 = '', w5 = ''] = ids ?? [];
  const receipt = `IMAGE#${check.imageId}#RECEIPT#${r5}`;
  const status = check.oneOf('embedding_status', EMBEDDING_STATUSES, { missingAs: 'NONE' });
  check.key('GSI1PK', `EMBEDDING_STATUS#${status}`);
  check.key('GSI1SK', `${isWord ? 'WORD' : 'LINE'}#IMAGE#${check.imageId}#${sk}`);
  check.key('GSI2PK', isWord ? 'RECEIPT' : undefined);
  check.key('GSI2SK', isWord ? `IMAGE#${check.imageId}#${sk}` : undefined);
  check.key('GSI3PK', receipt);
  check.key('GSI3SK', isWord ? 'WORD' : 'LINE');
  check.key('GSI4PK', receipt);
  check.key('GSI4SK', isWord ? `3_WORD#${l5}#${w5}` : `2_LINE#${l5}`);
  check.string('text');
  checkShape(check, 'bounding_box', ['x', 'y', 'width', 'height'], 20);
  for (const corner of ['top_left', 'top_right', 'bottom_left', 'bottom_right']) {
    checkShape(check, corner, ['x', 'y'], 20);
  }
  for (const angle of ['angle_degrees', 'angle_radians']) check.number(angle, { decimals: 18 });
  const confidence = check.number('confidence', { decimals: 2 });
  if (confidence !== undefined && !(confidence > 0 && confidence <= 1)) {
    check.fail('confidence', `must be in (0, 1], got ${confidence}`);
  }
  check.bool('is_noise', { optional: check.strictness === 'readable' });
  if (check.strictness === 'written') {
    for (const dropped of ['image_id', 'receipt_id', 'line_id', 'word_id']) {
      if (check.item[dropped] !== undefined) check.fail(dropped, 'is no longer written (the keys hold it)');
    }
  }
  if (isWord) {
    const extracted = check.item.extracted_data;
    if (extracted !== undefined && !extracted.NULL) {
      if (extracted.M === undefined)
        check.fail('extracted_data', `must be NULL or M, got ${show(extracted)}`);
      for (const [key, value] of Object.entries(extracted.M ?? {})) {
        if (value.S === undefined) check.fail(`extracted_data.${key}`, `must be S, got ${show(value)}`);
      }
    }
  }
}

/** A map of exactly `keys`, each N with at most `decimals` decimals. */
function checkShape(check: Checker, attribute: string, keys: readonly string[], decimals: number): void {
  const map = check.item[attribute]?.M;
  if (map === undefined) {
    check.fail(attribute, `must be M, got ${show(check.item[attribute])}`);
    return;
  }
  const found = Object.keys(map).sort();
  if (found.join() !== [...keys].sort().join()) {
    check.fail(attribute, `must have exactly ${keys.join(', ')}, got ${found.join(', ')}`);
  }
  for (const key of keys) check.numberValue(`${attribute}.${key}`, map[key], decimals);
}

function checkLabel(check: Checker): void {
  const ids = check.sk(`RECEIPT#${PAD5}#LINE#${PAD5}#WORD#${PAD5}#LABEL#(.+)`);
  const [r5 = '', l5 = '', w5 = '', label = ''] = ids ?? [];
  if (ids && [r5, l5, w5].some((id) => Number(id) < 1)) check.fail('SK', 'must name ids > 0');
  const sk = check.item.SK?.S ?? '';
  const wordSk = `IMAGE#${check.imageId}#${sk.replace(/#LABEL#.*$/, '')}`;
  const longLabel = label.length > 34;
  check.key('GSI1PK', longLabel ? undefined : `LABEL#${label}${'_'.repeat(Math.max(0, 34 - label.length))}`);
  check.key('GSI1SK', longLabel ? undefined : wordSk);
  check.key('GSI2PK', 'RECEIPT');
  check.key('GSI2SK', wordSk);
  const status = check.oneOf('validation_status', LABEL_STATUSES, { missingAs: 'NONE' });
  check.key('GSI3PK', `VALIDATION_STATUS#${status}`);
  check.key('GSI3SK', `IMAGE#${check.imageId}#${sk}`);
  check.key('GSI4PK', `IMAGE#${check.imageId}#RECEIPT#${r5}`);
  check.key('GSI4SK', `4_LABEL#${l5}#${w5}#${label}`);
  if (check.item.reasoning === undefined) check.fail('reasoning', 'must be present (S or NULL)');
  for (const attribute of ['reasoning', 'label_proposed_by', 'label_consolidated_from']) {
    if (check.string(attribute, { nullable: true }) === '') check.fail(attribute, 'must be NULL, never ""');
  }
  check.timestamp('timestamp_added');
  if (check.item.label !== undefined) check.fail('label', 'is not written (the SK holds the label)');
}

function checkPlace(check: Checker): void {
  const [r5 = ''] = check.sk(`RECEIPT#${PAD5}#PLACE`) ?? [];
  for (const attribute of Object.keys(check.item)) {
    if (!PLACE_ATTRIBUTES.has(attribute) && !(attribute === 'geohash' && check.strictness === 'readable')) {
      check.fail(attribute, 'is not an attribute of RECEIPT_PLACE (the existing parser refuses the item)');
    }
  }
  const gsiSk = `IMAGE#${check.imageId}#RECEIPT#${r5}#PLACE`;
  const readable = check.strictness === 'readable';
  if (check.string('image_id', { optional: readable }) !== undefined) check.equals('image_id', check.imageId);
  const receiptId = check.number('receipt_id', { optional: readable });
  if (receiptId !== undefined && receiptId !== Number(r5)) check.fail('receipt_id', `must be ${Number(r5)}`);
  const placeId = check.string('place_id');
  if (placeId !== undefined && placeId !== '' && placeId.trim() === '')
    check.fail('place_id', 'must not be blank');
  const name = check.string('merchant_name') ?? '';
  const slug = name
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter(Boolean)
    .join('_');
  if (slug === '') check.fail('merchant_name', `must have letters or digits, got ${JSON.stringify(name)}`);
  // A well-formed but stale GSI1PK / GSI2PK / GSI3SK is tolerated on read.
  if (readable) {
    if (check.item.GSI1PK && !check.item.GSI1PK.S?.startsWith('MERCHANT#'))
      check.fail('GSI1PK', 'must be MERCHANT#…');
    if (check.item.GSI2PK && !check.item.GSI2PK.S?.startsWith('PLACE#'))
      check.fail('GSI2PK', 'must be PLACE#…');
  } else {
    check.equals('GSI1PK', `MERCHANT#${slug}`);
    check.equals('GSI2PK', placeId === '' ? undefined : `PLACE#${placeId}`);
  }
  check.key('GSI1SK', gsiSk);
  check.key('GSI2SK', placeId === '' ? undefined : gsiSk);
  const status = check.string('validation_status', { optional: readable });
  const confidence = check.number('confidence', { optional: readable }) ?? 0;
  if (confidence < 0 || confidence > 1) check.fail('confidence', `must be in [0, 1], got ${confidence}`);
  check.key('GSI3PK', 'PLACE_VALIDATION');
  if (!readable) checkConfidenceKey(check, confidence, status ?? '');
  else if (check.item.GSI3SK && !check.item.GSI3SK.S?.startsWith('CONFIDENCE#')) {
    check.fail('GSI3SK', 'must be CONFIDENCE#…');
  }
  check.key('GSI4PK', `IMAGE#${check.imageId}#RECEIPT#${r5}`);
  check.key('GSI4SK', '1_PLACE');
  check.timestamp('timestamp');
  const validatedBy = check.item.validated_by;
  if (validatedBy !== undefined && !validatedBy.NULL) check.oneOf('validated_by', VALIDATED_BY);
  for (const attribute of PLACE_STRINGS) {
    if (check.string(attribute, { nullable: true }) === '' && !readable)
      check.fail(attribute, 'must be NULL when empty');
  }
  for (const attribute of PLACE_LISTS) checkList(check, attribute);
  for (const [attribute, bound] of Object.entries(PLACE_COORDINATES)) {
    const value = check.number(attribute, { optional: true });
    if (value !== undefined && Math.abs(value) > bound) check.fail(attribute, `must be within ±${bound}`);
  }
  check.bool('open_now', { optional: true });
  for (const attribute of PLACE_MAPS) {
    const value = check.item[attribute];
    if (value === undefined) continue;
    if (value.M !== undefined) {
      if (Object.keys(value.M).length === 0 && !readable) check.fail(attribute, 'must be omitted when empty');
    } else if (!(readable && value.S !== undefined && isJsonObject(value.S))) {
      check.fail(
        attribute,
        `must be M${readable ? ' (or a legacy JSON object string)' : ''}, got ${show(value)}`,
      );
    }
  }
}

/**
 * GSI3SK `CONFIDENCE#<c:.4f>#STATUS#<status>#IMAGE#<id>`. `.4f` is the nearest 4-decimal value to the binary
 * confidence, and on an exact tie the even one: checked as that property, not by formatting.
 */
function checkConfidenceKey(check: Checker, confidence: number, status: string): void {
  const key = check.item.GSI3SK?.S ?? '';
  const match = /^CONFIDENCE#(\d\.\d{4})#STATUS#(.*)#IMAGE#(.*)$/.exec(key);
  if (!match || match[2] !== status || match[3] !== check.imageId) {
    check.fail(
      'GSI3SK',
      `must be CONFIDENCE#<c:.4f>#STATUS#${status}#IMAGE#${check.imageId}, got ${JSON.stringify(key)}`,
    );
    return;
  }
  const written = Number(match[1]);
  const distance = Math.abs(written - confidence);
  const tie = Number.isInteger(confidence * 20_000) && !Number.isInteger(confidence * 10_000);
  const lastDigit = Number((match[1] ?? '').slice(-1));
  if (distance > 0.00005 + 1e-12 || (tie && lastDigit % 2 !== 0)) {
    check.fail('GSI3SK', `holds ${match[1]}, not ${confidence} as .4f (nearest, ties to even)`);
  }
}

function checkList(check: Checker, attribute: string): void {
  const value = check.item[attribute];
  if (value === undefined) return;
  const readable = check.strictness === 'readable';
  const entries = value.L?.map((entry) => entry.S) ?? (readable ? value.SS : undefined);
  if (entries === undefined || entries.some((entry) => entry === undefined)) {
    check.fail(attribute, `must be L of S${readable ? ' (or a legacy SS)' : ''}, got ${show(value)}`);
    return;
  }
  if (readable) return;
  if (entries.length === 0) check.fail(attribute, 'must be omitted when empty');
  if (entries.some((entry) => entry?.trim() === '')) check.fail(attribute, 'must hold no blank value');
  if (new Set(entries).size !== entries.length) check.fail(attribute, 'must hold no duplicate');
}

function checkRun(check: Checker): void {
  const [r5 = '', runId = ''] = check.sk(`RECEIPT#${PAD5}#COMPACTION_RUN#(.+)`) ?? [];
  if (!UUID.test(runId)) check.fail('SK', `must end in a run id (uuid v4|v5), got ${runId}`);
  const createdAt = check.string('created_at');
  check.equals('GSI1PK', 'RUNS');
  check.equals('GSI1SK', `CREATED_AT#${createdAt ?? ''}`);
  check.equals('run_id', runId);
  check.equals('image_id', check.imageId);
  if (check.number('receipt_id') !== Number(r5)) check.fail('receipt_id', `must be ${Number(r5)}`);
  for (const collection of ['lines', 'words']) {
    check.oneOf(`${collection}_state`, RUN_STATES, { missingAs: 'PENDING' });
    if (!check.string(`${collection}_delta_prefix`))
      check.fail(`${collection}_delta_prefix`, 'must not be empty');
    check.timestamp(`${collection}_started_at`, { nullable: true });
    check.timestamp(`${collection}_finished_at`, { nullable: true });
    check.string(`${collection}_error`, { nullable: true });
    const merged = check.number(`${collection}_merged_vectors`, { optional: true });
    if (merged !== undefined && (merged < 0 || !Number.isInteger(merged))) {
      check.fail(`${collection}_merged_vectors`, 'must be an integer >= 0');
    }
  }
  check.timestamp('created_at');
  check.timestamp('updated_at', { nullable: true });
}

/** The legacy format (written only on tables that have not migrated, MERCHANT_RECORD=metadata). */
function checkLegacyMetadata(check: Checker): void {
  const [r5 = ''] = check.sk(`RECEIPT#${PAD5}#METADATA`) ?? [];
  const gsiSk = `IMAGE#${check.imageId}#RECEIPT#${r5}#METADATA`;
  const placeId = check.string('place_id');
  check.string('merchant_name');
  check.equals('GSI1SK', gsiSk);
  if (!check.item.GSI1PK?.S?.startsWith('MERCHANT#')) check.fail('GSI1PK', 'must be MERCHANT#<name>');
  check.equals('GSI2PK', placeId ? `PLACE#${placeId}` : undefined);
  check.equals('GSI2SK', placeId ? gsiSk : undefined);
  check.timestamp('timestamp');
  const matched = check.item.matched_fields;
  if (matched !== undefined && !matched.NULL && matched.SS === undefined) {
    check.fail('matched_fields', `must be SS, got ${show(matched)}`);
  }
  for (const attribute of ['merchant_category', 'address', 'phone_number', 'reasoning']) {
    check.string(attribute, { nullable: true });
  }
  if (check.item.validated_by?.S !== undefined) check.oneOf('validated_by', VALIDATED_BY);
  const status = check.item.validation_status?.S;
  if (status !== undefined) {
    check.oneOf('validation_status', LEGACY_METADATA_STATUSES);
    check.equals('GSI3PK', 'MERCHANT_VALIDATION');
    check.equals('GSI3SK', `STATUS#${status}`);
  }
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

function show(value: AttributeValue | undefined): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}
