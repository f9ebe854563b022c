/** The task index as people and the orchestrator write it (schemas/task-index.schema.json). */

export const PHASES = [
  'pending',
  'queued',
  'running',
  'review',
  'done',
  'changes-requested',
  'failed',
  'blocked',
  'cancelled',
] as const;
export type Phase = (typeof PHASES)[number];

export const PRIORITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const ROLES = ['manager', 'builder', 'tester', 'reviewer'] as const;
export type Role = (typeof ROLES)[number];

/** Owned by the orchestrator. */
export interface TaskStatus {
  phase: Phase;
  reason?: string;
  message?: string;
  observedRequest?: string;
  lastRun?: { id: string; manifest?: string; result?: string };
  updatedAt?: string;
}

/** Human-owned fields plus the orchestrator's status block. */
export interface Task {
  id: string;
  title: string;
  description?: string;
  spec?: string;
  prd?: string;
  checklist?: string;
  dependsOn?: string[];
  priority?: Priority;
  labels?: string[];
  owner?: string;
  acceptance?: string[];
  paths?: string[];
  agents?: Partial<Record<Role, string>>;
  request?: string;
  status?: TaskStatus;
}

export interface TaskIndexData {
  $schema?: string;
  version: 1;
  tasks: Task[];
}

/** The phase of a task with no status block yet. */
export function phaseOf(task: Task): Phase {
  return task.status?.phase ?? 'pending';
}

export function priorityOf(task: Task): Priority {
  return task.priority ?? 'medium';
}
