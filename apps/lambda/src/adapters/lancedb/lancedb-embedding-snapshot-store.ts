import { type Connection, connect, Index, makeArrowTable, type Table } from '@lancedb/lancedb';
import {
  COMPACTION_COLLECTIONS,
  type CompactionCollection,
  type EmbeddingSnapshotStore,
  type EmbeddingVector,
  type FieldsOf,
  holdsFields,
  InvalidValueError,
  NOOP_TELEMETRY,
  type SnapshotPatch,
  type Telemetry,
  TransientStoreError,
  type VectorFields,
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

/** What a call asks of its table's next write. */
type WriteCall =
  | { readonly kind: 'merge'; readonly vectors: readonly EmbeddingVector[] }
  | { readonly kind: 'patch'; readonly patches: readonly SnapshotPatch[] }
  | {
      /** A refresh's write: its fields, applied only if each row still has the revision the refresh read. */
      readonly kind: 'fields';
      readonly fields: ReadonlyMap<string, { readonly fields: VectorFields; readonly revision: bigint }>;
    };
/** A call waiting for its table's next write, and how to settle it (with the count(s), or whether it applied). */
type WriteRequest = WriteCall & {
  readonly resolve: (outcome: unknown) => void;
  readonly reject: (error: unknown) => void;
};

/** A row as the next write will leave it: its vector, the revision read, and whether this write changes it. */
interface Pending {
  vector: EmbeddingVector;
  readonly revision: bigint;
  dirty: boolean;
}

/**
 * EmbeddingSnapshotStore on LanceDB: one table per collection (`lines`, `words`) under `uri`, a local directory
 * or S3. Every write loses nothing to writers in other processes: it is a compare-and-set on each row's revision,
 * as one `mergeInsert` (it reads the rows it changes, writes them only where no other writer changed them
 * meanwhile, and reads afresh and tries again when one did). `id` is the table's primary key, so two processes
 * inserting one new id conflict instead of both inserting it.
 *
 * Within this process the writes of a table are grouped: calls that arrive while the table is being written wait
 * for the next write, and that write applies all of them, in call order, as one table version (a lone patch of
 * string fields is a server-side `update()`). A call that fails for a reason of its own (a permanent error) fails
 * alone: the group is then written call by call. Under load this turns many small writes (a merge per run, a
 * refresh per receipt) into few versions. A refresh reads its rows and computes its fields outside the write, then
 * joins a group with the revisions it read: if an earlier call of the group, or another process, changed one of
 * those rows, it reads and computes again. Reads see the latest version (consistency interval 0). `optimize()`
 * compacts the versions, on a schedule and on demand.
 */
export class LanceDbEmbeddingSnapshotStore implements EmbeddingSnapshotStore {
  readonly #options: LanceDbEmbeddingSnapshotStoreOptions;
  readonly #telemetry: Telemetry;
  readonly #tables = new Map<CompactionCollection, Promise<{ table: Table; rows: VectorRows }>>();
  readonly #writes = new Map<CompactionCollection, number>();
  readonly #queues = new Map<CompactionCollection, WriteRequest[]>();
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
    return this.#enqueue<number>(collection, { kind: 'merge', vectors: [...byId.values()] });
  }

  async patch(collection: CompactionCollection, patches: readonly SnapshotPatch[]): Promise<number[]> {
    if (patches.length === 0) return [];
    await this.#open(collection);
    return this.#enqueue<number[]>(collection, { kind: 'patch', patches });
  }

  async refresh(collection: CompactionCollection, idPrefix: string, fieldsOf: FieldsOf): Promise<number> {
    const { table, rows } = await this.#open(collection);
    const maxAttempts = this.#options.maxAttempts ?? DEFAULTS.maxAttempts;
    for (let attempt = 1; ; attempt++) {
      let found: Row[];
      try {
        found = (await table.query().where(startsWith(idPrefix)).toArray()) as Row[];
      } catch (error) {
        throw classifyLanceError('refresh', error);
      }
      if (found.length === 0) return 0;
      found.sort((a, b) => byId(String(a.id), String(b.id)));
      const vectors = found.map((row) => rows.fromRow(row));
      const computed = await fieldsOf(vectors);
      const changes = new Map<string, { fields: VectorFields; revision: bigint }>();
      found.forEach((row, i) => {
        const vector = vectors[i] as EmbeddingVector;
        const fields = computed.get(vector.id);
        if (fields && !holdsFields(vector.metadata, fields)) {
          changes.set(vector.id, { fields, revision: BigInt(row[REVISION_COLUMN] as bigint) });
        }
      });
      // Every row holds what the state gives it: a writer that changed one since holds it too, or is checked.
      if (changes.size === 0) return found.length;
      if (await this.#enqueue<boolean>(collection, { kind: 'fields', fields: changes })) return found.length;
      if (attempt >= maxAttempts) {
        throw new TransientStoreError(
          `LanceDB refresh of ${idPrefix} on ${collection}: other writes won ${attempt} attempts in a row`,
        );
      }
    }
  }

  async list(collection: CompactionCollection, idPrefix: string): Promise<EmbeddingVector[]> {
    const { table, rows } = await this.#open(collection);
    let found: Row[];
    try {
      found = (await table.query().where(startsWith(idPrefix)).toArray()) as Row[];
    } catch (error) {
      throw classifyLanceError('list', error);
    }
    return found.map((row) => rows.fromRow(row)).sort((a, b) => byId(a.id, b.id));
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

  /** Queues a call for its table's next write (starting one if the table is idle); resolves with its outcome. */
  #enqueue<T>(collection: CompactionCollection, call: WriteCall): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const queue = this.#queues.get(collection);
      const queued: WriteRequest = { ...call, resolve: resolve as (outcome: unknown) => void, reject };
      if (queue) {
        queue.push(queued);
        return;
      }
      this.#queues.set(collection, [queued]);
      void this.#drain(collection);
    });
  }

  /** Writes the table's queued calls, group after group, until none is left. */
  async #drain(collection: CompactionCollection): Promise<void> {
    for (;;) {
      const group = this.#queues.get(collection) ?? [];
      if (group.length === 0) {
        this.#queues.delete(collection);
        return;
      }
      this.#queues.set(collection, []);
      try {
        await this.#writeGroup(collection, group);
      } catch (error) {
        if (group.length === 1 || error instanceof TransientStoreError) {
          for (const request of group) request.reject(error);
        } else {
          // A failure of one call's own making fails that call alone.
          for (const request of group) {
            await this.#writeGroup(collection, [request]).catch((alone) => request.reject(alone));
          }
        }
      }
    }
  }

  /** One table write applying every call of the group in order; settles each call that succeeded. */
  async #writeGroup(collection: CompactionCollection, group: readonly WriteRequest[]): Promise<void> {
    const { rows } = await this.#open(collection);
    const [single] = group;
    if (group.length === 1 && single?.kind === 'patch' && single.patches.length === 1) {
      const [patch] = single.patches;
      const sql = patch && rows.updateSql(patch.fields);
      if (patch && sql) {
        // One patch of typed string fields: a server-side update, no read (Lance retries it over a concurrent
        // commit); it bumps the revision, so a concurrent conditional write of these rows fails and reads again.
        let updated = 0;
        await this.#write(collection, 'patch', async (table) => {
          const result = await table.update({
            where: startsWith(patch.idPrefix),
            valuesSql: { ...sql, [REVISION_COLUMN]: `${REVISION_COLUMN} + 1` },
          });
          updated = result.rowsUpdated;
          return true;
        });
        single.resolve([updated]);
        return;
      }
    }
    let outcomes: unknown[] = [];
    await this.#write(collection, 'write', async (table) => {
      const current = (await table.query().where(filterOf(group)).toArray()) as Row[];
      const pending = new Map<string, Pending>(
        current.map((row) => [
          String(row[ID_COLUMN]),
          { vector: rows.fromRow(row), revision: BigInt(row[REVISION_COLUMN] as bigint), dirty: false },
        ]),
      );
      outcomes = group.map((request) => apply(request, pending));
      const next = [...pending.values()]
        .filter((entry) => entry.dirty)
        .map((entry) => rows.toRow(entry.vector, entry.revision + 1n));
      if (next.length === 0) return true;
      const result = await conditionalMerge(table, rows, next, true);
      return result.numUpdatedRows + result.numInsertedRows === next.length;
    });
    for (const [i, request] of group.entries()) request.resolve(outcomes[i]);
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
    await ensureIdIndex(table);
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

/**
 * A BTREE index on the id column, made once per table (by whichever process opens it first): every read and write
 * here finds its rows by id or id prefix, which without it scans every id of the table. Rows written since the last
 * `optimize()` are not in the index yet and are scanned; `optimize()` adds them.
 */
async function ensureIdIndex(table: Table): Promise<void> {
  try {
    const indices = await table.listIndices();
    if (indices.some((index) => index.columns.includes(ID_COLUMN))) return;
    await table.createIndex(ID_COLUMN, { config: Index.btree() });
  } catch (error) {
    // Another process made it meanwhile: either index serves.
    if (!isCommitConflict(error)) throw classifyLanceError('index', error);
  }
}

function startsWith(prefix: string): string {
  return `starts_with(${ID_COLUMN}, ${sqlString(prefix)})`;
}

/** Every row the group's calls may read or change. */
function filterOf(group: readonly WriteCall[]): string {
  const ids = new Set<string>();
  const prefixes = new Set<string>();
  for (const request of group) {
    if (request.kind === 'merge') for (const vector of request.vectors) ids.add(vector.id);
    else if (request.kind === 'fields') for (const id of request.fields.keys()) ids.add(id);
    else for (const { idPrefix } of request.patches) prefixes.add(idPrefix);
  }
  return [
    ...(ids.size > 0 ? [`${ID_COLUMN} IN (${[...ids].map(sqlString).join(', ')})`] : []),
    ...[...prefixes].map(startsWith),
  ].join(' OR ');
}

/** Applies one call to the rows as the write will leave them; returns the call's outcome. */
function apply(request: WriteCall, pending: Map<string, Pending>): unknown {
  switch (request.kind) {
    case 'merge':
      for (const vector of request.vectors) {
        pending.set(vector.id, { vector, revision: pending.get(vector.id)?.revision ?? 0n, dirty: true });
      }
      return request.vectors.length;
    case 'patch':
      return request.patches.map(({ idPrefix, fields }) => {
        let count = 0;
        for (const [id, entry] of pending) {
          if (!id.startsWith(idPrefix)) continue;
          entry.vector = { ...entry.vector, metadata: { ...entry.vector.metadata, ...fields } };
          entry.dirty = true;
          count++;
        }
        return count;
      });
    case 'fields': {
      // Stale if a row is gone, another write changed it, or an earlier call of this group did.
      const stale = [...request.fields].some(([id, { revision }]) => {
        const entry = pending.get(id);
        return !entry || entry.dirty || entry.revision !== revision;
      });
      if (stale) return false;
      for (const [id, { fields }] of request.fields) {
        const entry = pending.get(id) as Pending;
        entry.vector = { ...entry.vector, metadata: { ...entry.vector.metadata, ...fields } };
        entry.dirty = true;
      }
      return true;
    }
  }
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

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
