/**
 * The example app's secrets: its config falls back to development values, public in its source.
 * With NODE_ENV=production the app refuses to start (register) until each is set, naming those
 * missing; its config still loads there, as `strapi build` (NODE_ENV=production, no secret) needs.
 */
import { createRequire } from 'module';
import * as path from 'path';

// The app's own CommonJS files, as Strapi loads them.
const load = createRequire(path.join(__dirname, '..', '..', 'example', 'package.json'));
const app = load('./src/index.js') as { register(): void };
const adminConfig = load('./config/admin.js') as (a: { env: ReturnType<typeof fakeEnv> }) => { auth: { secret: string } };

const SECRETS: Record<string, string> = { APP_KEYS: 'k1,k2', ADMIN_JWT_SECRET: 'jwt', API_TOKEN_SALT: 'api', TRANSFER_TOKEN_SALT: 'transfer', ENCRYPTION_KEY: 'enc' };

/** Strapi's env helper over `vars` instead of process.env. */
function fakeEnv(vars: Record<string, string>) {
  return Object.assign((key: string, fallback?: string) => vars[key] ?? fallback, { bool: (key: string, fallback?: boolean) => (key in vars ? vars[key] === 'true' : fallback) });
}

/** The app's register() with exactly `vars` of these in the environment. */
function register(vars: Record<string, string>): void {
  const keys = ['NODE_ENV', ...Object.keys(SECRETS)];
  const saved = keys.map((k) => [k, process.env[k]] as const);
  for (const k of keys) delete process.env[k];
  Object.assign(process.env, vars);
  try {
    app.register();
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

test('in production, a start with the fallback secrets is refused, naming every variable to set', () => {
  expect(() => register({ NODE_ENV: 'production' })).toThrow('NODE_ENV=production: set APP_KEYS, ADMIN_JWT_SECRET, API_TOKEN_SALT, TRANSFER_TOKEN_SALT, ENCRYPTION_KEY in the environment');
  expect(() => register({ NODE_ENV: 'production', APP_KEYS: 'k', ADMIN_JWT_SECRET: 'j' })).toThrow(/: set API_TOKEN_SALT, TRANSFER_TOKEN_SALT, ENCRYPTION_KEY in/);
});

test('in production with every secret set, and in development with none, the app starts; the config loads for a build either way', () => {
  expect(() => register({ NODE_ENV: 'production', ...SECRETS })).not.toThrow();
  expect(() => register({ NODE_ENV: 'development' })).not.toThrow();
  expect(() => register({})).not.toThrow();
  expect(adminConfig({ env: fakeEnv({ NODE_ENV: 'production' }) }).auth.secret).toBe('altbridge-dev-admin-jwt-secret');
  expect(adminConfig({ env: fakeEnv({ NODE_ENV: 'production', ...SECRETS }) }).auth.secret).toBe('jwt');
});
