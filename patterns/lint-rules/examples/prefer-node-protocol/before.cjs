'use strict';
const assert = require('assert');
const { promisify } = require('util');
const chalk = require('chalk');

module.exports = { assert, promisify, chalk };
