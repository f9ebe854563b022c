import assert from 'node:assert/strict';
import { test } from 'node:test';
import { slugify } from '../src/slugify.js';

test('lowercases and joins words with a dash', () => {
  assert.equal(slugify('Hello World'), 'hello-world');
});

test('collapses runs of separators into one dash', () => {
  assert.equal(slugify('Hello,  World!!'), 'hello-world');
});

test('trims separators at both ends', () => {
  assert.equal(slugify('  --Hello--  '), 'hello');
});
