// The fallbacks of the secrets in config/ are development values, public in this repository. The
// check runs here, as the app starts, not in config/: `strapi build` loads the config in production
// mode too, and a build needs no secret.
const SECRETS = ['APP_KEYS', 'ADMIN_JWT_SECRET', 'API_TOKEN_SALT', 'TRANSFER_TOKEN_SALT', 'ENCRYPTION_KEY'];

module.exports = {
  register() {
    if (process.env.NODE_ENV !== 'production') return;
    const missing = SECRETS.filter((name) => !process.env[name]);
    if (missing.length > 0) {
      throw new Error(`NODE_ENV=production: set ${missing.join(', ')} in the environment; the example app's fallbacks are development values, public in its source`);
    }
  },
  bootstrap() {},
};
