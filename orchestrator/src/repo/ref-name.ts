/**
 * Why git would refuse `name` as a branch name, or undefined: the rules of
 * `git check-ref-format --branch`, checked here so that an id git cannot use is reported by
 * `cxo validate` at its position instead of failing a run. Task ids become run branches
 * (`codex/<task>/<run>`), so each id must be a valid ref component.
 */
export function refNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (name.startsWith('-')) return 'starts with "-"';
  const bad = /[\x00-\x20\x7f~^:?*[\\]/.exec(name);
  if (bad) return `contains ${JSON.stringify(bad[0])}, which git does not allow in a branch name`;
  if (name.includes('..')) return 'contains "..", which git does not allow in a branch name';
  if (name.includes('@{')) return 'contains "@{", which git does not allow in a branch name';
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//'))
    return 'has an empty path component ("/" at the start or end, or "//")';
  if (name.endsWith('.')) return 'ends with ".", which git does not allow in a branch name';
  for (const component of name.split('/')) {
    if (component.startsWith('.')) return `has a part starting with "." (${JSON.stringify(component)})`;
    if (component.endsWith('.lock')) return `has a part ending with ".lock" (${JSON.stringify(component)})`;
  }
  return undefined;
}
