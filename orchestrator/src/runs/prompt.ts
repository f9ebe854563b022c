import type { Role, Task } from '../repo/task-types.js';

const ROLE_BRIEF: Record<Role, string> = {
  manager:
    'Plan the work. Write a JSON plan to the plan file: {"summary", "steps": [...], "acceptance": [...], "files": [...], "risks": [...]}.',
  builder:
    'Make the change in this working directory. Do not commit: the orchestrator commits and records the evidence.',
  tester:
    'Add or update tests that prove the task done. The orchestrator runs the acceptance commands itself afterwards.',
  reviewer: 'Review the change against the spec and the task. Exit non-zero to reject it, and say why.',
};

/**
 * The prompt for one role: the task, a reviewer's feedback, its checklist item, spec and PRD
 * excerpt, the plan (not for the manager) and the repository's AGENTS.md, cut at `maxChars`.
 */
export function assemblePrompt(input: {
  role: Role;
  task: Task;
  specText?: string;
  /** The opening of the task's PRD. */
  prdText?: string;
  /** The task's checklist item, with the items above it. */
  checklistItem?: string;
  planText?: string;
  agentsMd?: string;
  /** A reviewer's request for changes on the task's previous run. */
  feedback?: { run: string; by: string; message: string } | null;
  maxChars?: number;
}): string {
  const { role, task } = input;
  const parts = [
    `# Role: ${role}`,
    ROLE_BRIEF[role],
    `# Task ${task.id}: ${task.title}`,
    task.description ?? '',
    task.acceptance?.length
      ? `Acceptance commands (must pass):\n${task.acceptance.map((c) => `- \`${c}\``).join('\n')}`
      : '',
    task.paths?.length ? `Change only files matching: ${task.paths.join(', ')}` : '',
    input.feedback
      ? `# Changes requested\n${input.feedback.by} reviewed run ${input.feedback.run} and asked for changes:\n\n${input.feedback.message}`
      : '',
    input.checklistItem ? `# Checklist item\n${input.checklistItem}` : '',
    input.specText ? `# Spec\n${input.specText}` : '',
    input.prdText ? `# PRD (excerpt)\n${input.prdText}` : '',
    input.planText && role !== 'manager' ? `# Plan\n${input.planText}` : '',
    input.agentsMd ? `# AGENTS.md\n${input.agentsMd}` : '',
  ];
  const prompt = parts.filter(Boolean).join('\n\n');
  const max = input.maxChars ?? 100_000;
  return prompt.length > max ? `${prompt.slice(0, max)}\n\n[prompt cut at ${max} characters]` : prompt;
}
