/** The environment of the admin's fine-tuning child: only what training needs, and a thread cap. */
import { childEnv } from '../../../worker/finetune/spawn';

const server = {
  PATH: '/usr/bin:/bin',
  HOME: '/home/strapi',
  TMPDIR: '/tmp',
  LANG: 'C.UTF-8',
  NODE_OPTIONS: '--max-old-space-size=4096',
  NODE_ENV: 'production',
  ALTBRIDGE_MODELS: '/srv/models',
  ALTBRIDGE_PROVIDERS: 'cpu',
  ALTBRIDGE_CACHE: '/srv/cache',
  DATABASE_PASSWORD: 'db-password',
  DATABASE_URL: 'postgres://strapi:db-password@db/strapi',
  ADMIN_JWT_SECRET: 'jwt',
  APP_KEYS: 'k1,k2',
  API_TOKEN_SALT: 'salt',
  TRANSFER_TOKEN_SALT: 'salt',
  ENCRYPTION_KEY: 'key',
  JWT_SECRET: 'jwt',
  AWS_SECRET_ACCESS_KEY: 'aws',
  REDIS_URL: 'redis://:pw@redis',
};

test("the server's secrets stay behind; PATH, HOME, locale, Node's options and ALTBRIDGE_* go along", () => {
  expect(childEnv(server, 8)).toEqual({
    PATH: '/usr/bin:/bin',
    HOME: '/home/strapi',
    TMPDIR: '/tmp',
    LANG: 'C.UTF-8',
    NODE_OPTIONS: '--max-old-space-size=4096',
    NODE_ENV: 'production',
    ALTBRIDGE_MODELS: '/srv/models',
    ALTBRIDGE_PROVIDERS: 'cpu',
    ALTBRIDGE_CACHE: '/srv/cache',
    ALTBRIDGE_THREADS: '4',
  });
});

test('threads: half the cores, at least one, unless ALTBRIDGE_THREADS is configured', () => {
  expect(childEnv(server, 16).ALTBRIDGE_THREADS).toBe('8');
  expect(childEnv(server, 3).ALTBRIDGE_THREADS).toBe('1');
  expect(childEnv(server, 1).ALTBRIDGE_THREADS).toBe('1');
  expect(childEnv({ ...server, ALTBRIDGE_THREADS: '3' }, 16).ALTBRIDGE_THREADS).toBe('3');
});
