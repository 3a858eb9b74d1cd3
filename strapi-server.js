// Strapi loads plugins as CommonJS; the plugin is TypeScript run through tsx, like the CLI (no build step).
require('tsx/cjs');
module.exports = require('./server/src/index.ts').default;
