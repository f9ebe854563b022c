import { phaseOf, type Task } from '../repo/task-types.js';

/** A run is due when the person's request differs from the last request the orchestrator handled. */
export function isRequested(task: Task): boolean {
  return (
    task.request !== undefined && task.request !== '' && task.request !== (task.status?.observedRequest ?? '')
  );
}

/** Tasks whose spec must be approved and fresh now: requested, queued or running. */
export function isActive(task: Task): boolean {
  const phase = phaseOf(task);
  return phase === 'queued' || phase === 'running' || (isRequested(task) && phase !== 'cancelled');
}
