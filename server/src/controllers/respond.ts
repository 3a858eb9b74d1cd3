/** What every controller shares: the answer (plugin errors as 400 / 404 / 409 / 413) and request parsing. */
import type { Context } from 'koa';
import type { Range } from '../contracts';
import { Conflict, InvalidInput, NotFound, TooLarge } from '../errors';
import { optionalWhole } from '../input';
import type { AdminUser } from '../utils';

type AdminContext = Context & {
  badRequest: (m: string) => void;
  notFound: (m: string) => void;
  conflict: (m: string, details?: Record<string, unknown>) => void;
  payloadTooLarge: (m: string) => void;
};

export async function respond(ctx: Context, body: () => Promise<unknown> | unknown): Promise<void> {
  try {
    ctx.body = { data: await body() };
  } catch (err) {
    if (err instanceof InvalidInput) return (ctx as AdminContext).badRequest(err.message);
    if (err instanceof NotFound) return (ctx as AdminContext).notFound(err.message);
    if (err instanceof Conflict) return (ctx as AdminContext).conflict(err.message, err.details);
    if (err instanceof TooLarge) return (ctx as AdminContext).payloadTooLarge(err.message);
    throw err;
  }
}

/** The JSON body as an object ({} when absent or not an object). */
export const body = (ctx: Context): Record<string, unknown> => {
  const b = (ctx.request as unknown as { body?: unknown }).body;
  return b && typeof b === 'object' && !Array.isArray(b) ? (b as Record<string, unknown>) : {};
};

export const adminUser = (ctx: Context): AdminUser => ctx.state.user as AdminUser;

/** A whole number from a query string, or undefined when absent. */
export const queryInt = (ctx: Context, key: string, range: Range): number | undefined => optionalWhole(key, ctx.query[key], range);
