/** Runs a controller body, answering the plugin's own errors as 400 / 404 / 409 / 413. */
import type { Context } from 'koa';
import type { AdminUser } from '../services/captions';
import { Conflict, InvalidInput, NotFound, TooLarge } from '../errors';

type AdminContext = Context & { badRequest: (m: string) => void; notFound: (m: string) => void; conflict: (m: string) => void; payloadTooLarge: (m: string) => void };

export async function respond(ctx: Context, body: () => Promise<unknown>): Promise<void> {
  try {
    ctx.body = { data: await body() };
  } catch (err) {
    if (err instanceof InvalidInput) return (ctx as AdminContext).badRequest(err.message);
    if (err instanceof NotFound) return (ctx as AdminContext).notFound(err.message);
    if (err instanceof Conflict) return (ctx as AdminContext).conflict(err.message);
    if (err instanceof TooLarge) return (ctx as AdminContext).payloadTooLarge(err.message);
    throw err;
  }
}

export const body = (ctx: Context): Record<string, unknown> => {
  const b = (ctx.request as unknown as { body?: unknown }).body;
  return b && typeof b === 'object' && !Array.isArray(b) ? (b as Record<string, unknown>) : {};
};

export const adminUser = (ctx: Context): AdminUser => ctx.state.user as AdminUser;

/** A whole number from a query string, or undefined when absent. */
export function queryInt(ctx: Context, key: string, lo: number, hi: number): number | undefined {
  const raw = ctx.query[key];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < lo || n > hi) throw new InvalidInput(`${key} must be a whole number from ${lo} to ${hi}`);
  return n;
}
