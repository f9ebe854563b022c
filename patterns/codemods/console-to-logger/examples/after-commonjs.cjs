'use strict';
const path = require('node:path');
const { log } = require('@acme/log');

function resolveHome(dir) {
  log.warn('HOME is not set, using', dir);
  return path.resolve(dir);
}

module.exports = { resolveHome };
