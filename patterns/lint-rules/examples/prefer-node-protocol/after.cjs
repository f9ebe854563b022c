'use strict';
const assert = require('node:assert');
const { promisify } = require('node:util');
const chalk = require('chalk');

module.exports = { assert, promisify, chalk };
