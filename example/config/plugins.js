const fs = require('fs');
const path = require('path');

/** The repository root: the folder above this app whose package.json declares the altbridge plugin (from config/ or dist/config/). */
function pluginRoot(dir) {
  for (let d = path.resolve(dir, '..', '..'); d !== path.dirname(d); d = path.dirname(d)) {
    const pkg = path.join(d, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).strapi?.name === 'altbridge') return d;
  }
  throw new Error(`no altbridge plugin above ${dir}`);
}

// The plugin from this repository's source (its root package.json declares it a Strapi plugin).
module.exports = ({ env }) => ({
  altbridge: {
    enabled: true,
    resolve: pluginRoot(__dirname),
    config: {
      // One process by default: Strapi consumes the queue itself. Set ALTBRIDGE_WORKER=external
      // and run `npm run worker` beside it to caption in a separate process.
      // Other keys (redisUrl, concurrency, attempts, ...) default from REDIS_URL, ALTBRIDGE_CONCURRENCY, ...
      worker: env('ALTBRIDGE_WORKER', 'inline'),
    },
  },
});
