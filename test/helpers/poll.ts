/** What tests of real servers share, without loading any of them: a free port, and polling until a condition holds. */
import * as net from 'net';

/** A port nothing listens on now: bound by us, then released. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Polls `check` until it returns a value (not undefined) or the time is up; the failure shows the tail of `log` (a process's output). */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000, log: () => string = () => ''): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${log() ? `\n${log().slice(-6000)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
