module.exports = ({ env }) => ({
  host: env('HOST', '0.0.0.0'),
  port: env.int('PORT', 1337),
  // Development defaults; in production the app refuses to start until APP_KEYS is set (src/index.js).
  app: { keys: env.array('APP_KEYS', ['altbridgeDevKey1', 'altbridgeDevKey2']) },
  // Uploads land in PUBLIC_DIR/uploads (tests point it at a temporary folder).
  dirs: { public: env('PUBLIC_DIR', './public') },
  logger: { startup: { enabled: env.bool('STRAPI_STARTUP_LOG', true) }, updates: { enabled: false } },
});
