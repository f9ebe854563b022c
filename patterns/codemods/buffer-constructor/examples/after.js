import { createHash } from 'node:crypto';

export function digest(text) {
  const data = Buffer.from(text, 'utf8');
  return createHash('sha256').update(data).digest('hex');
}

export function header(bytes) {
  const out = Buffer.alloc(16);
  out.write('CXO1');
  return Buffer.concat([out, Buffer.from([...bytes])]);
}
