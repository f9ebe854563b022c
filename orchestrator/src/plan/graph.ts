/** Pure functions over the task dependency graph. */

export interface GraphNode {
  id: string;
  dependsOn?: readonly string[];
}

/**
 * Every dependency cycle, each as the ids along it with the first repeated at the end
 * (`a -> b -> a`). Iterative DFS so 10,000-task chains do not overflow the stack.
 */
export function findCycles(nodes: readonly GraphNode[]): string[][] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const state = new Map<string, 1 | 2>(); // 1 on the current path, 2 finished
  const cycles: string[][] = [];
  const reported = new Set<string>();
  for (const start of nodes) {
    if (state.has(start.id)) continue;
    const path: string[] = [];
    const stack: { id: string; next: number }[] = [{ id: start.id, next: 0 }];
    state.set(start.id, 1);
    path.push(start.id);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1];
      const deps = byId.get(frame.id)?.dependsOn ?? [];
      if (frame.next < deps.length) {
        const dep = deps[frame.next++];
        if (!byId.has(dep)) continue;
        const s = state.get(dep);
        if (s === 1) {
          const cycle = [...path.slice(path.indexOf(dep)), dep];
          const key = [...cycle.slice(0, -1)].sort().join('\u0000');
          if (!reported.has(key)) {
            reported.add(key);
            cycles.push(cycle);
          }
        } else if (s === undefined) {
          state.set(dep, 1);
          path.push(dep);
          stack.push({ id: dep, next: 0 });
        }
      } else {
        state.set(frame.id, 2);
        path.pop();
        stack.pop();
      }
    }
  }
  return cycles;
}
