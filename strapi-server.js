// Strapi loads a plugin's server side as CommonJS. In a checkout (the example app, the tests) it is
// the TypeScript sources through tsx; the published package holds no sources and loads dist/.
const fs = require('fs');
const path = require('path');

const source = path.join(__dirname, 'server', 'src', 'index.ts');
if (fs.existsSync(source)) {
  require('tsx/cjs');
  module.exports = require(source).default;
} else {
  module.exports = require('./dist/server/src/index.js').default;
}
