/**
 * Throwaway PostgreSQL databases for tests: each gets a database of its own with a unique name on
 * the server that {@link TEST_POSTGRES_URL_ENV} names, and drops it afterwards, so test files can
 * run in parallel against one server. A server that cannot be reached fails the test with the
 * command that starts it: the tests of the PostgreSQL store need it (CI starts it in .ci/run).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Environment variable naming the server (and an admin database on it) the tests use. */
export const TEST_POSTGRES_URL_ENV = 'SHIPMATE_TEST_POSTGRES_URL';

/** The server the tests use unless {@link TEST_POSTGRES_URL_ENV} names another. */
export const DEFAULT_TEST_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** A database created for one test. */
export interface TestPostgresDatabase {
  /** Its name, `shipmate_test_<random>`. */
  readonly name: string;
  /** Connection URL of the database (the admin URL with its database replaced). */
  readonly url: string;
  /** Drops the database, closing connections still open to it; safe to call twice. */
  drop(): Promise<void>;
}

/** The admin URL of the test server: {@link TEST_POSTGRES_URL_ENV}, else {@link DEFAULT_TEST_POSTGRES_URL}. */
export function testPostgresAdminUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env[TEST_POSTGRES_URL_ENV] || DEFAULT_TEST_POSTGRES_URL;
}

/** Runs `fn` on a fresh admin connection; an unreachable server fails with how to start it. */
async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    const reason = (error as { code?: string }).code ?? (error as Error).message;
    throw new Error(
      `PostgreSQL for the tests is not reachable at ${redacted(adminUrl)} (${reason}). Start it (as root: ` +
        `pg_ctlcluster $(ls /etc/postgresql | sort -V | tail -n 1) main start, what .ci/run's 'ensure_service pg' does) ` +
        `or set ${TEST_POSTGRES_URL_ENV} to a server where the user may CREATE DATABASE, e.g. ${DEFAULT_TEST_POSTGRES_URL}`,
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Options of {@link createTestPostgresDatabase}. */
export interface TestPostgresDatabaseOptions {
  /** The server's admin URL. @default testPostgresAdminUrl() */
  adminUrl?: string;
  /**
   * An ICU locale for the database's collation, e.g. `en-US` (where `a` sorts before `B`), to
   * show that a query does not depend on the server's default collation.
   */
  icuLocale?: 'en-US';
}

/** Creates an empty database `shipmate_test_<random>` on the test server. */
export async function createTestPostgresDatabase(options: TestPostgresDatabaseOptions = {}): Promise<TestPostgresDatabase> {
  const adminUrl = options.adminUrl ?? testPostgresAdminUrl();
  const name = `shipmate_test_${randomBytes(6).toString('hex')}`;
  const locale = options.icuLocale ? ` TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE '${options.icuLocale}'` : '';
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE ${name}${locale}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    name,
    url: url.toString(),
    drop() {
      dropped ??= withAdmin(adminUrl, async (client) => {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      });
      return dropped;
    },
  };
}

function redacted(value: string): string {
  try {
    const url = new URL(value);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return '(unparseable URL)';
  }
}
