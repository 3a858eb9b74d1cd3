// Development defaults for every secret; in production the app refuses to start until each is set (src/index.js).
module.exports = ({ env }) => ({
  auth: { secret: env('ADMIN_JWT_SECRET', 'altbridge-dev-admin-jwt-secret') },
  apiToken: { salt: env('API_TOKEN_SALT', 'altbridge-dev-api-token-salt') },
  transfer: { token: { salt: env('TRANSFER_TOKEN_SALT', 'altbridge-dev-transfer-token-salt') } },
  secrets: { encryptionKey: env('ENCRYPTION_KEY', 'altbridge-dev-encryption-key') },
  // The admin API works without the built panel; SERVE_ADMIN_PANEL=false skips serving (and needing) the build.
  serveAdminPanel: env.bool('SERVE_ADMIN_PANEL', true),
});
