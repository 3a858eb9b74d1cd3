#!/usr/bin/env node
// The CLI runs the TypeScript sources directly through tsx: no build step to forget.
require('tsx/cjs');
require('../cli/main.ts');
