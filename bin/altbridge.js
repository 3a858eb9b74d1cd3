#!/usr/bin/env node
// In a checkout the CLI runs its TypeScript sources through tsx (no build step to forget); the
// published package holds no sources and runs the JavaScript that `npm run build` compiled to dist/.
const fs = require('fs');
const path = require('path');

const source = path.join(__dirname, '..', 'cli', 'main.ts');
if (fs.existsSync(source)) {
  require('tsx/cjs');
  require(source);
} else {
  require('../dist/cli/main.js');
}
