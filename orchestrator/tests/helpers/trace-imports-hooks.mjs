// Module resolution hook: appends every module URL Node resolves to the file named by CXO_TRACE_FILE.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  appendFileSync(process.env.CXO_TRACE_FILE, `${result.url}\n`);
  return result;
}
