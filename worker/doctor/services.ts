/**
 * Reachability of Redis and PostgreSQL from their URLs, spoken in each one's own wire protocol
 * over a plain socket: the doctor must not need the client libraries whose setup it is checking.
 * Each probe resolves with what it learnt or rejects with a readable reason.
 */
import * as net from 'net';

/** Query parameters that hold secrets: password, libpq's sslpassword, token, secret, api_key, auth... */
const SECRET_PARAM = /pass|pwd|secret|token|key|auth|cred/i;

/** Where a URL has an '@' past its host, a password with an unescaped '/', '?' or '#' was split there. */
const splitPassword = (u: URL): boolean => `${u.pathname}${u.search}${u.hash}`.includes('@');

/**
 * The URL with its password and secret query parameters replaced, fit for a report. One that
 * does not parse, or whose password was split, may hold a password anywhere: only its scheme is shown.
 */
export function redact(url: string): string {
  const u = URL.canParse(url) ? new URL(url) : null;
  if (!u || splitPassword(u)) {
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1];
    return `<unparsable ${scheme ? `${scheme} ` : ''}URL>`;
  }
  const secrets = [...new Set(u.searchParams.keys())].filter((k) => SECRET_PARAM.test(k));
  if (!u.password && secrets.length === 0) return url;
  if (u.password) u.password = '***';
  for (const k of secrets) u.searchParams.set(k, '***');
  return u.toString();
}

/** Host, port and the parsed URL (user, password, path) of a service URL of one of `schemes`. */
function parse(url: string, schemes: string[], defaultPort: number): { u: URL; host: string; port: number } {
  // Not connecting to the host a split password names keeps its pieces out of the errors, too.
  const u = URL.canParse(url) ? new URL(url) : null;
  if (!u || splitPassword(u)) throw new Error(`${redact(url)} is not a URL (percent-encode any '@', ':', '/', '?' or '#' in the user name and password)`);
  if (!schemes.includes(u.protocol)) throw new Error(`${redact(url)}: expected a ${schemes.map((s) => `${s}//`).join(' or ')} URL`);
  if (!u.hostname) throw new Error(`${redact(url)} names no host`);
  return { u, host: u.hostname, port: u.port ? Number(u.port) : defaultPort };
}

/**
 * Connects, sends `request`, and feeds everything received so far to `read` until it returns a
 * value. One deadline covers connecting and answering, so a silent port cannot hang the doctor.
 */
function converse<R>(host: string, port: number, timeoutMs: number, request: Buffer, read: (received: Buffer) => R | undefined): Promise<R> {
  return new Promise((resolve, reject) => {
    const where = `${host}:${port}`;
    const socket = net.connect({ host, port });
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (err: Error | null, value?: R) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(value as R);
    };
    const timer = setTimeout(() => finish(new Error(`no answer from ${where} within ${timeoutMs} ms`)), timeoutMs);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      try {
        const value = read(received);
        if (value !== undefined) finish(null, value);
      } catch (err) {
        finish(err as Error);
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => finish(new Error(`cannot connect to ${where} (${err.code ?? err.message})`)));
    socket.on('close', () => finish(new Error(`${where} closed the connection without answering`)));
  });
}

/** A command as a RESP array of bulk strings (safe for any bytes in a password). */
const resp = (...words: string[]): string => `*${words.length}\r\n${words.map((w) => `$${Buffer.byteLength(w)}\r\n${w}\r\n`).join('')}`;

/**
 * `redis://[[user]:pass@]host[:port][/db]`: AUTH when the URL has a password, SELECT when it names
 * a database, then PING; resolves with the PING reply, rejects with Redis's own error line.
 */
export async function pingRedis(url: string, timeoutMs: number): Promise<string> {
  const { u, host, port } = parse(url, ['redis:'], 6379);
  const commands: string[] = [];
  const password = decodeURIComponent(u.password);
  if (password) commands.push(u.username ? resp('AUTH', decodeURIComponent(u.username), password) : resp('AUTH', password));
  const db = u.pathname.replace(/^\//, '');
  if (db) commands.push(resp('SELECT', db));
  commands.push(resp('PING'));
  const where = `${host}:${port}`;
  // AUTH, SELECT and PING each answer with one line: +OK/+PONG or -ERROR.
  const lines = await converse(host, port, timeoutMs, Buffer.from(commands.join('')), (buf) => {
    const got = buf.toString('utf8').split('\r\n').slice(0, -1);
    const alien = got.find((l) => !/^[+-]/.test(l));
    if (alien !== undefined) throw new Error(`${where} does not answer like Redis (it said "${alien.slice(0, 60)}")`);
    return got.length >= commands.length ? got : undefined;
  });
  const error = lines.find((l) => l.startsWith('-'));
  if (error) throw new Error(`Redis at ${where} answered ${error.slice(1)}`);
  return lines[lines.length - 1].slice(1);
}

/** The fields of an ErrorResponse payload: code byte, then a C string, until a 0 byte. */
function errorFields(payload: Buffer): Record<string, string> {
  const fields: Record<string, string> = {};
  let i = 0;
  while (i < payload.length && payload[i] !== 0) {
    const end = payload.indexOf(0, i + 1);
    fields[String.fromCharCode(payload[i])] = payload.toString('utf8', i + 1, end);
    i = end + 1;
  }
  return fields;
}

const AUTH_KINDS: Record<number, string> = { 3: 'a cleartext password', 5: 'an MD5 password', 10: 'a SASL (SCRAM) password' };

/**
 * `postgres://user[:pass]@host[:port]/db`: a protocol 3.0 StartupMessage, then the server's first
 * verdict. Trust auth runs on to ReadyForQuery (so a missing database or role is caught too);
 * a password request proves the server reachable, and the doctor stops there rather than carry a
 * SCRAM client: the password itself is not checked.
 */
export async function pingPostgres(url: string, timeoutMs: number): Promise<string> {
  const { u, host, port } = parse(url, ['postgres:', 'postgresql:'], 5432);
  const user = decodeURIComponent(u.username) || 'postgres';
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || user;
  const params = Buffer.from(`user\0${user}\0database\0${database}\0\0`);
  const startup = Buffer.alloc(8 + params.length);
  startup.writeInt32BE(startup.length, 0);
  startup.writeInt32BE(196608, 4); // protocol 3.0
  params.copy(startup, 8);
  const where = `PostgreSQL at ${host}:${port}`;
  return converse(host, port, timeoutMs, startup, (buf) => {
    let version = '';
    // Messages: type byte, Int32 length (counting itself), payload.
    for (let at = 0; at + 5 <= buf.length; ) {
      const type = String.fromCharCode(buf[at]);
      if (!'REZSKNv'.includes(type)) throw new Error(`${host}:${port} does not answer like PostgreSQL`);
      const end = at + 1 + buf.readInt32BE(at + 1);
      if (end > buf.length) return undefined;
      const payload = buf.subarray(at + 5, end);
      if (type === 'E') {
        const f = errorFields(payload);
        throw new Error(`${where} refused user "${user}", database "${database}": ${f.M ?? 'error'}${f.C ? ` (SQLSTATE ${f.C})` : ''}`);
      }
      if (type === 'R') {
        const code = payload.readInt32BE(0);
        if (code !== 0) return `reachable, asks for ${AUTH_KINDS[code] ?? `authentication method ${code}`} (user "${user}", database "${database}"; password not checked)`;
      }
      if (type === 'S') {
        const [name, value] = payload.toString('utf8').split('\0');
        if (name === 'server_version') version = value;
      }
      if (type === 'Z') return `connected as "${user}" to database "${database}"${version ? ` (server ${version})` : ''}`;
      at = end;
    }
    return undefined;
  });
}
