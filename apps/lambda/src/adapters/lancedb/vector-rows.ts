import {
  type EmbeddingVector,
  InvalidValueError,
  LABEL_VECTOR_FIELDS,
  METADATA_VECTOR_FIELDS,
  type VectorMetadataValue,
} from '@receipt-gate/core';
import {
  Bool,
  type DataType,
  Field,
  FixedSizeList,
  Float32,
  Float64,
  Int64,
  List,
  Precision,
  Schema,
  Type,
  Utf8,
} from 'apache-arrow';

/** The kinds of metadata value a typed column holds. */
type ColumnKind = 'string' | 'number' | 'boolean' | 'strings';

export const ID_COLUMN = 'id';
export const VECTOR_COLUMN = 'vector';
/** Bumped by every write of a row: a conditional write applies only over the revision it read. */
export const REVISION_COLUMN = 'revision';
/** Metadata without a column of its own (or of another type than its column's), as JSON. */
export const EXTRA_COLUMN = 'extra_metadata';
const RESERVED = new Set([ID_COLUMN, VECTOR_COLUMN, REVISION_COLUMN, EXTRA_COLUMN]);
// Lance reads this field metadata as the table's primary key: concurrent merge-inserts of one new id then
// conflict (and retry) instead of both inserting it.
const PRIMARY_KEY = new Map([['lance-schema:unenforced-primary-key:position', '1']]);

/**
 * The fields every receipt vector carries get typed columns, so the tables can be filtered on them (merchant,
 * label status, label lists) the way the existing services filter their collections.
 */
const DEFAULT_COLUMNS: ReadonlyArray<readonly [string, ColumnKind]> = [
  ['text', 'string'],
  ['image_id', 'string'],
  ['receipt_id', 'number'],
  ['line_id', 'number'],
  ['word_id', 'number'],
  ...METADATA_VECTOR_FIELDS.map((field) => [field, 'string'] as const),
  ...LABEL_VECTOR_FIELDS.map((field) => [field, field.endsWith('_array') ? 'strings' : 'string'] as const),
];

export interface Row {
  readonly [column: string]: unknown;
}

/** How vectors map to rows of one table, from the table's schema. */
export class VectorRows {
  readonly dimensions: number;
  readonly schema: Schema;
  readonly #columns: ReadonlyArray<readonly [string, ColumnKind]>;

  private constructor(
    schema: Schema,
    dimensions: number,
    columns: ReadonlyArray<readonly [string, ColumnKind]>,
  ) {
    this.schema = schema;
    this.dimensions = dimensions;
    this.#columns = columns;
  }

  /** The schema of a new table of vectors of `dimensions` values. */
  static create(dimensions: number): VectorRows {
    const fields = [
      new Field(ID_COLUMN, new Utf8(), false, PRIMARY_KEY),
      new Field(VECTOR_COLUMN, new FixedSizeList(dimensions, new Field('item', new Float32(), true)), false),
      new Field(REVISION_COLUMN, new Int64(), false),
      ...DEFAULT_COLUMNS.map(([name, kind]) => new Field(name, arrowType(kind), true)),
      new Field(EXTRA_COLUMN, new Utf8(), true),
    ];
    return new VectorRows(new Schema(fields), dimensions, DEFAULT_COLUMNS);
  }

  /** The mapping of an existing table; its typed columns are whatever its schema has. */
  static of(schema: Schema, table: string): VectorRows {
    // Type ids, not instanceof: LanceDB's schemas come from its own (CommonJS) copy of apache-arrow.
    const vector = schema.fields.find((field) => field.name === VECTOR_COLUMN)?.type as
      | FixedSizeList
      | undefined;
    if (vector?.typeId !== Type.FixedSizeList) {
      throw new InvalidValueError(
        table,
        `is not a table of vectors (no fixed-size "${VECTOR_COLUMN}" column)`,
      );
    }
    const columns = schema.fields
      .filter((field) => !RESERVED.has(field.name))
      .map((field): readonly [string, ColumnKind] => {
        const kind = kindOf(field.type);
        if (!kind)
          throw new InvalidValueError(table, `column "${field.name}" has an unsupported type ${field.type}`);
        return [field.name, kind];
      });
    return new VectorRows(schema, vector.listSize, columns);
  }

  /** A vector as a row at `revision`; refuses a vector of another length or with a value that is not finite. */
  toRow(vector: EmbeddingVector, revision: bigint): Row {
    this.check(vector);
    const extra: Record<string, VectorMetadataValue> = {};
    const row: Record<string, unknown> = { [ID_COLUMN]: vector.id, [VECTOR_COLUMN]: [...vector.values] };
    for (const [name] of this.#columns) row[name] = null;
    for (const [key, value] of Object.entries(vector.metadata)) {
      const kind = this.#columns.find(([name]) => name === key)?.[1];
      if (kind && fits(kind, value)) row[key] = Array.isArray(value) ? [...value] : value;
      else extra[key] = value;
    }
    row[REVISION_COLUMN] = revision;
    row[EXTRA_COLUMN] = Object.keys(extra).length > 0 ? JSON.stringify(extra) : null;
    return row;
  }

  /** A row read back as the vector it holds (values at float32 precision). */
  fromRow(row: Row): EmbeddingVector {
    const extra = row[EXTRA_COLUMN];
    // A column wins over a stale extra of the same name, which a server-side update of the column leaves behind.
    const metadata: Record<string, VectorMetadataValue> = typeof extra === 'string' ? JSON.parse(extra) : {};
    for (const [name, kind] of this.#columns) {
      const value = row[name];
      if (value === null || value === undefined) continue;
      metadata[name] =
        kind === 'strings' ? Array.from(value as Iterable<string>) : (value as VectorMetadataValue);
    }
    return {
      id: String(row[ID_COLUMN]),
      values: Array.from(row[VECTOR_COLUMN] as Iterable<number>),
      metadata,
    };
  }

  /**
   * The SQL that sets `fields` in their typed columns, or undefined when one of them has no column of its kind.
   * Only strings and lists of strings: their SQL literals are exact (numbers would go through SQL's own types).
   */
  updateSql(fields: Readonly<Record<string, VectorMetadataValue>>): Record<string, string> | undefined {
    const sql: Record<string, string> = {};
    for (const [key, value] of Object.entries(fields)) {
      const kind = this.#columns.find(([name]) => name === key)?.[1];
      if (kind === 'string' && typeof value === 'string') sql[key] = sqlString(value);
      else if (
        kind === 'strings' &&
        Array.isArray(value) &&
        value.every((item) => typeof item === 'string')
      ) {
        sql[key] = `arrow_cast(make_array(${value.map(sqlString).join(', ')}), 'List(Utf8)')`;
      } else return undefined;
    }
    return sql;
  }

  /** Refuses a vector this table cannot hold as given: never padded, never cut. */
  check(vector: EmbeddingVector): void {
    if (vector.values.length !== this.dimensions || !vector.values.every(Number.isFinite)) {
      throw new InvalidValueError(
        'vector',
        `${vector.id} has ${vector.values.length} values${vector.values.every(Number.isFinite) ? '' : ' (not all finite)'}, the table holds vectors of ${this.dimensions} finite values`,
      );
    }
  }
}

function arrowType(kind: ColumnKind): DataType {
  switch (kind) {
    case 'string':
      return new Utf8();
    case 'number':
      return new Float64();
    case 'boolean':
      return new Bool();
    case 'strings':
      return new List(new Field('item', new Utf8(), true));
  }
}

function kindOf(type: DataType): ColumnKind | undefined {
  if (type.typeId === Type.Utf8) return 'string';
  if (type.typeId === Type.Float && (type as Float64).precision === Precision.DOUBLE) return 'number';
  if (type.typeId === Type.Bool) return 'boolean';
  if (type.typeId === Type.List && type.children[0]?.type.typeId === Type.Utf8) return 'strings';
  return undefined;
}

function fits(kind: ColumnKind, value: VectorMetadataValue): boolean {
  if (kind === 'strings') return Array.isArray(value) && value.every((item) => typeof item === 'string');
  return typeof value === kind;
}

/** A SQL string literal: single quotes doubled, nothing else special. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
