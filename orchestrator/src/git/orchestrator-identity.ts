/** The committer (and, unless a person acted, the author) of every commit the orchestrator makes. */
export const ORCHESTRATOR_IDENTITY = {
  GIT_AUTHOR_NAME: 'codex-orchestrator',
  GIT_AUTHOR_EMAIL: 'codex-orchestrator@localhost',
  GIT_COMMITTER_NAME: 'codex-orchestrator',
  GIT_COMMITTER_EMAIL: 'codex-orchestrator@localhost',
} as const;
