import { type Connection, connect, makeArrowTable, type Table } from '@lancedb/lancedb';
import {
  COMPACTION_COLLECTIONS,
  type CompactionCollection,
  type EmbeddingSnapshotStore,
  type EmbeddingVector,
  InvalidValueError,
  NOOP_TELEMETRY,
  type SnapshotPatch,
  type Telemetry,
  TransientStoreError,
} from '@receipt-gate/core';
import { KeyedMutex } from './keyed-mutex.js';
import { classifyLanceError, isCommitConflict } from './lancedb-errors.js';
import { ID_COLUMN, REVISION_COLUMN, type Row, sqlString, VectorRows } from './vector-rows.js';

export interface LanceDbEmbeddingSnapshotStoreOptions {
  /** A local directory, or `s3://bucket/prefix`. */
  readonly uri: string;
  /** The length of every vector; a table of another dimension is refused. */
  readonly dimensions: number;
  /** Passed to LanceDB's object store (e.g. `aws_endpoint`, `allow_http` for an S3-compatible server). */
  readonly storageOptions?: Readonly<Record<string, string>>;
  /** Compact a table (`optimize()`) after every this many writes to it from this process; 0 never. */
  readonly optimizeEvery?: number;
  /** `optimize()` prunes versions older than this (default 1 h: longer than any reader holds one). */
  readonly keepVersionsMs?: number;
  /** Attempts of one write that keeps losing to concurrent writers before it fails transiently. */
  readonly maxAttempts?: number;
  readonly telemetry?: Telemetry;
}

/** What `optimize()` did to one table. */
export interface TableOptimization {
  readonly collection: CompactionCollection;
  readonly versionsBefore: number;
  readonly versionsAfter: number;
  readonly fragmentsRemoved: number;
  readonly fragmentsAdded: number;
  readonly bytesRemoved: number;
}

const DEFAULTS = { optimizeEvery: 100, keepVersionsMs: 3_600_000, maxAttempts: 12 } as const;
// Every store of this process on the same table takes turns: without it, concurrent writers here lose updates.
const writers = new KeyedMutex<string>();

/**
 * EmbeddingSnapshotStore on LanceDB: one table per collection (`lines`, `words`) under `uri`, a local directory
 * or S3. Every write is one table write that loses nothing to writers in other processes: a merge or a batch of
 * patches is a compare-and-set on each row's revision, as one `mergeInsert` (it reads the rows it changes,
 * writes them only where no other writer changed them meanwhile, and reads afresh and tries again for the rows
 * that lost); a single patch of string fields (the label and merchant fields) is a server-side `update()`. `id` is the
 * table's primary key, so two processes inserting one new id conflict instead of both inserting it. Within
 * this process writes to a table take turns. Reads see the latest version (consistency interval 0). Each
 * write is a table version; `optimize()` compacts them, on a schedule and on demand.
 */
export class LanceDbEmbeddingSnapshotStore implements EmbeddingSnapshotStore {
  readonly #options: LanceDbEmbeddingSnapshotStoreOptions;
  readonly #telemetry: Telemetry;
  readonly #tables = new Map<CompactionCollection, Promise<{ table: Table; rows: VectorRows }>>();
  readonly #writes = new Map<CompactionCollection, number>();
  #connection: Promise<Connection> | undefined;

  constructor(options: LanceDbEmbeddingSnapshotStoreOptions) {
    if (!Number.isSafeInteger(options.dimensions) || options.dimensions < 1) {
      throw new InvalidValueError('dimensions', `expected a positive integer, got ${options.dimensions}`);
    }
    this.#options = options;
    this.#telemetry = options.telemetry ?? NOOP_TELEMETRY;
  }

  get uri(): string {
    return this.#options.uri;
  }

  async merge(collection: CompactionCollection, vectors: readonly EmbeddingVector[]): Promise<number> {
    const { rows } = await this.#open(collection);
    for (const vector of vectors) rows.check(vector);
    // The last of several vectors with one id wins, as in a map.
    const byId = new Map(vectors.map((vector) => [vector.id, vector]));
    if (byId.size === 0) return 0;
    await this.#write(collection, 'merge', async (table) => {
      const current = await revisions(
        table,
        `${ID_COLUMN} IN (${[...byId.keys()].map(sqlString).join(', ')})`,
      );
      const next = [...byId.values()].map((vector) =>
        rows.toRow(vector, (current.get(vector.id) ?? 0n) + 1n),
      );
      const result = await conditionalMerge(table, rows, next, true);
      return result.numUpdatedRows + result.numInsertedRows === next.length;
    });
    return byId.size;
  }

  async patch(collection: CompactionCollection, patches: readonly SnapshotPatch[]): Promise<number[]> {
    if (patches.length === 0) return [];
    const { rows } = await this.#open(collection);
    const [single] = patches;
    const sql = patches.length === 1 && single ? rows.updateSql(single.fields) : undefined;
    if (single && sql) {
      // One patch of typed string fields: a server-side update, no read (Lance retries it over a concurrent
      // commit); it bumps the revision, so a concurrent conditional write of these rows fails and reads again.
      let updated = 0;
      await this.#write(collection, 'patch', async (table) => {
        const result = await table.update({
          where: startsWith(single.idPrefix),
          valuesSql: { ...sql, [REVISION_COLUMN]: `${REVISION_COLUMN} + 1` },
        });
        updated = result.rowsUpdated;
        return true;
      });
      return [updated];
    }
    let counts: number[] = [];
    await this.#write(collection, 'patch', async (table) => {
      const filter = patches.map(({ idPrefix }) => startsWith(idPrefix)).join(' OR ');
      const found = (await table.query().where(filter).toArray()) as Row[];
      counts = patches.map(() => 0);
      const next = found.flatMap((row) => {
        const vector = rows.fromRow(row);
        let metadata = vector.metadata;
        patches.forEach(({ idPrefix, fields }, i) => {
          if (!vector.id.startsWith(idPrefix)) return;
          metadata = { ...metadata, ...fields };
          counts[i] = (counts[i] ?? 0) + 1;
        });
        return metadata === vector.metadata
          ? []
          : [rows.toRow({ ...vector, metadata }, BigInt(row[REVISION_COLUMN] as bigint) + 1n)];
      });
      if (next.length === 0) return true;
      const result = await conditionalMerge(table, rows, next, false);
      return result.numUpdatedRows === next.length;
    });
    return counts;
  }

  async list(collection: CompactionCollection, idPrefix: string): Promise<EmbeddingVector[]> {
    const { table, rows } = await this.#open(collection);
    let found: Row[];
    try {
      found = (await table.query().where(startsWith(idPrefix)).toArray()) as Row[];
    } catch (error) {
      throw classifyLanceError('list', error);
    }
    return found.map((row) => rows.fromRow(row)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** One `delete()` of the rows with these ids: a single table version, so all of them or none. */
  async remove(collection: CompactionCollection, ids: readonly string[]): Promise<number> {
    const distinct = [...new Set(ids)];
    if (distinct.length === 0) return 0;
    let removed = 0;
    await this.#write(collection, 'remove', async (table) => {
      const result = await table.delete(`${ID_COLUMN} IN (${distinct.map(sqlString).join(', ')})`);
      removed = result.numDeletedRows;
      return true;
    });
    return removed;
  }

  /** Compacts every table's files and prunes versions older than `keepVersionsMs` (or the given age). */
  async optimize(options: { keepVersionsMs?: number } = {}): Promise<TableOptimization[]> {
    const done: TableOptimization[] = [];
    for (const collection of COMPACTION_COLLECTIONS) {
      const { table } = await this.#open(collection);
      done.push(await writers.run(this.#key(collection), () => this.#optimize(collection, table, options)));
    }
    return done;
  }

  /** How many versions a table has (each write makes one, until `optimize()` prunes them). */
  async versions(collection: CompactionCollection): Promise<number> {
    const { table } = await this.#open(collection);
    return (await table.listVersions()).length;
  }

  /** Closes the tables and the connection; the store must not be used afterwards. */
  async close(): Promise<void> {
    const tables = await Promise.allSettled(this.#tables.values());
    for (const opened of tables) if (opened.status === 'fulfilled') opened.value.table.close();
    this.#tables.clear();
    const connection = await this.#connection?.catch(() => undefined);
    connection?.close();
    this.#connection = undefined;
  }

  async #optimize(
    collection: CompactionCollection,
    table: Table,
    options: { keepVersionsMs?: number },
  ): Promise<TableOptimization> {
    const keepMs = options.keepVersionsMs ?? this.#options.keepVersionsMs ?? DEFAULTS.keepVersionsMs;
    const versionsBefore = (await table.listVersions()).length;
    const stats = await table.optimize({ cleanupOlderThan: new Date(Date.now() - keepMs) });
    return {
      collection,
      versionsBefore,
      versionsAfter: (await table.listVersions()).length,
      fragmentsRemoved: stats.compaction.fragmentsRemoved,
      fragmentsAdded: stats.compaction.fragmentsAdded,
      bytesRemoved: stats.prune.bytesRemoved,
    };
  }

  /**
   * Runs `attempt` (read, then conditional write) in this process's turn on the table until it reports that
   * every row landed, reading afresh after each loss; then counts the write and optimizes when one is due.
   */
  async #write(
    collection: CompactionCollection,
    operation: string,
    attempt: (table: Table) => Promise<boolean>,
  ): Promise<void> {
    const { table } = await this.#open(collection);
    const maxAttempts = this.#options.maxAttempts ?? DEFAULTS.maxAttempts;
    await writers.run(this.#key(collection), async () => {
      for (let tries = 1; ; tries++) {
        let landed: boolean;
        try {
          landed = await attempt(table);
        } catch (error) {
          if (!isCommitConflict(error)) throw classifyLanceError(operation, error);
          landed = false;
        }
        if (landed) break;
        if (tries >= maxAttempts) {
          throw new TransientStoreError(
            `LanceDB ${operation} on ${collection}: concurrent writers won ${tries} attempts in a row`,
          );
        }
        // Spread out writers that collided, so they do not collide again in lockstep.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * tries));
      }
      const writes = (this.#writes.get(collection) ?? 0) + 1;
      this.#writes.set(collection, writes);
      const every = this.#options.optimizeEvery ?? DEFAULTS.optimizeEvery;
      if (every > 0 && writes % every === 0) {
        // The write has landed; a failed compaction only leaves more versions for the next one.
        await this.#optimize(collection, table, {}).then(
          () => this.#telemetry.metric('SnapshotOptimizations', 1, 'Count'),
          () => this.#telemetry.metric('SnapshotOptimizeFailures', 1, 'Count'),
        );
      }
    });
  }

  #key(collection: CompactionCollection): string {
    return `${this.#options.uri}\u0000${collection}`;
  }

  #open(collection: CompactionCollection): Promise<{ table: Table; rows: VectorRows }> {
    let opened = this.#tables.get(collection);
    if (!opened) {
      opened = this.#openOrCreate(collection);
      // A failure (the store unreachable for a moment) is not remembered: the next call tries again.
      opened.catch(() => this.#tables.delete(collection));
      this.#tables.set(collection, opened);
    }
    return opened;
  }

  async #openOrCreate(collection: CompactionCollection): Promise<{ table: Table; rows: VectorRows }> {
    const connection = await this.#connect();
    const wanted = VectorRows.create(this.#options.dimensions);
    let table: Table;
    try {
      table = (await connection.tableNames()).includes(collection)
        ? await connection.openTable(collection)
        : await connection.createEmptyTable(collection, wanted.schema, { mode: 'create' });
    } catch (error) {
      // Another process created it between our look and our create.
      if (!(error instanceof Error && /already exists/i.test(error.message))) {
        throw classifyLanceError('open', error);
      }
      table = await connection.openTable(collection);
    }
    const rows = VectorRows.of(await table.schema(), collection);
    if (rows.dimensions !== this.#options.dimensions) {
      table.close();
      throw new InvalidValueError(
        'dimensions',
        `the ${collection} table under ${this.#options.uri} holds vectors of ${rows.dimensions}, the configuration says ${this.#options.dimensions}`,
      );
    }
    return { table, rows };
  }

  #connect(): Promise<Connection> {
    if (!this.#connection) {
      const { uri, storageOptions } = this.#options;
      // Interval 0: every read checks for the latest version, so writes of other processes are seen at once.
      this.#connection = connect(uri, {
        readConsistencyInterval: 0,
        ...(storageOptions && { storageOptions: { ...storageOptions } }),
      });
      this.#connection.catch(() => {
        this.#connection = undefined;
      });
    }
    return this.#connection;
  }
}

function startsWith(prefix: string): string {
  return `starts_with(${ID_COLUMN}, ${sqlString(prefix)})`;
}

/** The current revision of each row the filter selects. */
async function revisions(table: Table, filter: string): Promise<Map<string, bigint>> {
  const found = (await table.query().where(filter).select([ID_COLUMN, REVISION_COLUMN]).toArray()) as Row[];
  return new Map(found.map((row) => [String(row[ID_COLUMN]), BigInt(row[REVISION_COLUMN] as bigint)]));
}

/** Writes each row only over the revision it was read at (and inserts new ids when `insert`). */
function conditionalMerge(table: Table, rows: VectorRows, next: readonly Row[], insert: boolean) {
  const builder = table
    .mergeInsert(ID_COLUMN)
    .whenMatchedUpdateAll({ where: `target.${REVISION_COLUMN} = source.${REVISION_COLUMN} - 1` });
  return (insert ? builder.whenNotMatchedInsertAll() : builder).execute(
    makeArrowTable(next as Record<string, unknown>[], { schema: rows.schema }),
  );
}
