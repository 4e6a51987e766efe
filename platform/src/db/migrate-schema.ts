import {
  type DatabaseIntrospector,
  type DatabaseMetadata,
  type Kysely,
  type Migration,
  type MigrationResultSet,
  Migrator,
  type SchemaMetadata,
  sql,
  type TableMetadata,
} from 'kysely';

export class MigrationFailed extends Error {
  override readonly name = 'MigrationFailed';
}

/**
 * What Kysely's Migrator asks the database before every run (does the schema exist, do its
 * history and lock tables), answered for one schema. Kysely's own introspector lists every
 * column of every table in the database, with a function call per column: with a schema per
 * tenant each new tenant cost more than the last (205 tenants took 33 s to create), and every
 * service's start paid for all tenants. The Migrator reads only names, so columns stay empty.
 */
class OneSchemaIntrospector implements DatabaseIntrospector {
  readonly #db: Kysely<unknown>;
  readonly #schema: string;

  constructor(db: Kysely<unknown>, schema: string) {
    this.#db = db;
    this.#schema = schema;
  }

  async getSchemas(): Promise<SchemaMetadata[]> {
    const { rows } = await sql<SchemaMetadata>`
      select nspname as name from pg_catalog.pg_namespace where nspname = ${this.#schema}
    `.execute(this.#db);
    return rows;
  }

  async getTables(): Promise<TableMetadata[]> {
    const { rows } = await sql<{ name: string; kind: string }>`
      select c.relname as name, c.relkind as kind
      from pg_catalog.pg_class c
      join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ${this.#schema} and c.relkind in ('r', 'v', 'p')
    `.execute(this.#db);
    return rows.map((r) => ({
      name: r.name,
      schema: this.#schema,
      isView: r.kind === 'v',
      columns: [],
    }));
  }

  async getMetadata(): Promise<DatabaseMetadata> {
    return { tables: await this.getTables() };
  }
}

/**
 * `db` as the Migrator sees it: the same instance, but introspecting `schema` alone. A proxy
 * because a Kysely's dialect is fixed at construction, and these instances are the callers'.
 */
function introspectingOnly<DB>(db: Kysely<DB>, schema: string): Kysely<DB> {
  const introspector = new OneSchemaIntrospector(db as unknown as Kysely<unknown>, schema);
  return new Proxy(db, {
    get(target, property) {
      if (property === 'introspection') return introspector;
      // The real instance as `this`: Kysely keeps its state in private fields.
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * Brings `schema` to the latest of `migrations` with Kysely's Migrator, keeping the history
 * in that schema (so each tenant's schema has its own). `db` may carry `withSchema(schema)`
 * for migrations written with bare names. Safe from several processes at once: the Migrator
 * takes an advisory lock. Names sort by their timestamp prefix.
 */
export async function migrateSchema<DB>(
  db: Kysely<DB>,
  schema: string,
  migrations: Readonly<Record<string, Migration>>,
): Promise<void> {
  const migrator = new Migrator({
    db: introspectingOnly(db, schema),
    migrationTableSchema: schema,
    provider: { getMigrations: async () => ({ ...migrations }) },
  });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error !== undefined) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? '?';
    throw new MigrationFailed(`migrating schema ${schema} failed at ${failed}`, {
      cause: result.error,
    });
  }
}
