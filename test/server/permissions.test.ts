/**
 * RBAC on a real Strapi: every route in the plugin's route table (so new routes are covered too)
 * answers 403 to an admin whose role lacks the route's action, and lets the action's holders in.
 */
import { adminRoutes } from '../../server/src/routes/admin';
import { ACTIONS } from '../../server/src/permissions';
import { Admin, call } from './helpers/http';
import { bootApp, TestApp } from './helpers/strapi-app';

let app: TestApp;
let none: Admin;
let readOnly: Admin;
let superAdmin: Admin;

const actionOf = (r: (typeof adminRoutes)[number]) => (r.config.policies[1] as { config: { actions: string[] } }).config.actions[0];
const urlOf = (r: (typeof adminRoutes)[number]) => '/altbridge' + r.path.replace(/:id\b/g, 'x1');
const label = (r: (typeof adminRoutes)[number]) => `${r.method} ${r.path}`;

beforeAll(async () => {
  app = await bootApp('permissions');
  const roles = app.strapi.service('admin::role');
  const bare = await roles.create({ name: 'No alt text', description: 'an admin role without the plugin' });
  const reader = await roles.create({ name: 'Alt text reader', description: 'reads captions only' });
  await roles.assignPermissions(reader.id, [{ action: ACTIONS.read, subject: null, properties: {}, conditions: [] }]);
  none = { baseUrl: app.baseUrl, token: await app.adminToken([bare.id]) };
  readOnly = { baseUrl: app.baseUrl, token: await app.adminToken([reader.id]) };
  superAdmin = { baseUrl: app.baseUrl, token: await app.adminToken() };
}, 120_000);

afterAll(async () => {
  await app?.close();
});

test('the actions are registered with Strapi RBAC', () => {
  const registered = app.strapi
    .service('admin::permission')
    .actionProvider.values()
    .map((a: { actionId: string }) => a.actionId);
  expect(registered).toEqual(expect.arrayContaining(Object.values(ACTIONS)));
});

test('every route names one of the plugin actions and requires an authenticated admin', () => {
  for (const r of adminRoutes) {
    expect([label(r), r.config.policies[0]]).toEqual([label(r), 'admin::isAuthenticatedAdmin']);
    expect(Object.values(ACTIONS)).toContain(actionOf(r));
  }
});

test.each(adminRoutes.map((r) => [label(r), r] as const))('%s: 403 without the plugin permissions', async (_, r) => {
  expect((await call(none, r.method, urlOf(r), r.method === 'GET' ? undefined : {})).status).toBe(403);
});

test.each(adminRoutes.map((r) => [label(r), r] as const))('%s: 401 without a login', async (_, r) => {
  expect((await call({ baseUrl: app.baseUrl, token: 'not-a-token' }, r.method, urlOf(r), r.method === 'GET' ? undefined : {})).status).toBe(401);
});

test('a role holding only "read" passes the read routes and no others', async () => {
  for (const r of adminRoutes) {
    const status = (await call(readOnly, r.method, urlOf(r), r.method === 'GET' ? undefined : {})).status;
    if (actionOf(r) === ACTIONS.read) expect([label(r), status]).not.toEqual([label(r), 403]);
    else expect([label(r), status]).toEqual([label(r), 403]);
  }
});

test("a super admin passes every route's policies", async () => {
  for (const r of adminRoutes) {
    const status = (await call(superAdmin, r.method, urlOf(r), r.method === 'GET' ? undefined : {})).status;
    expect([label(r), status]).not.toEqual([label(r), 403]);
    expect([label(r), status]).not.toEqual([label(r), 401]);
  }
});
