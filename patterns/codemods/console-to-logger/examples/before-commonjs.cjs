'use strict';
const path = require('node:path');

function resolveHome(dir) {
  console.warn('HOME is not set, using', dir);
  return path.resolve(dir);
}

module.exports = { resolveHome };
