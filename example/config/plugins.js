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
module.exports = () => ({
  altbridge: {
    enabled: true,
    resolve: pluginRoot(__dirname),
    // Every key has its default (from REDIS_URL, ALTBRIDGE_WORKER, ALTBRIDGE_CONCURRENCY, ...): in
    // development Strapi consumes the queue itself; with NODE_ENV=production, or ALTBRIDGE_WORKER=external,
    // `npm run worker` captions beside it. The queue's name and Redis prefix come from this app's name and database.
    config: {},
  },
});
