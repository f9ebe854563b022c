import { readFileSync } from 'node:fs';

export function loadConfig(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot load ${path}`);
  }
}

export function parsePort(text) {
  try {
    return BigInt(text);
  } catch (e) {
    throw new RangeError('port must be an integer', {});
  }
}

export async function fetchJson(url) {
  try {
    return await (await fetch(url)).json();
  } catch (error) {
    // already chained: left alone
    throw new Error(`GET ${url} failed`, { cause: error });
  }
}
