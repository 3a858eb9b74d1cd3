/** One statement on the server's `postgres` database (creating and dropping a benchmark's own database), from DATABASE_* or the local defaults. */
import { Client } from 'pg';

export async function adminSql(q: string): Promise<void> {
  const c = new Client({
    host: process.env.DATABASE_HOST ?? '127.0.0.1',
    port: Number(process.env.DATABASE_PORT ?? 5432),
    user: process.env.DATABASE_USERNAME ?? 'postgres',
    password: process.env.DATABASE_PASSWORD || undefined,
    database: 'postgres',
  });
  await c.connect();
  try {
    await c.query(q);
  } finally {
    await c.end();
  }
}
