/** schemas/eval-scenario.schema.json as TypeScript. */

export interface CommandSpec {
  run: string;
  timeout_seconds?: number;
}

export interface InjectEdit {
  file?: string;
  find?: string;
  replace?: string;
  patch?: string;
}

export type GoalName = 'build' | 'test' | 'lint';
export type TestFormat = 'tap' | 'tape';

export interface EvalScenario {
  id: string;
  title?: string;
  description?: string;
  tags?: string[];
  timeout_seconds?: number;
  source: { fixture?: string; npm?: string };
  setup?: CommandSpec[];
  inject?: InjectEdit[];
  goals?: Partial<Record<GoalName, CommandSpec>>;
  tests?: {
    command: string;
    format: TestFormat;
    timeout_seconds?: number;
    fail_to_pass?: string[];
    pass_to_pass?: string[];
  };
  pipeline: {
    task: { title: string; description?: string; acceptance?: string[]; paths?: string[] };
    model?: string;
    real_provider?: boolean;
    pattern?: string;
    roles?: Partial<Record<'manager' | 'builder' | 'tester' | 'reviewer', string>>;
    timeout_seconds?: number;
  };
  assert?: {
    files_changed?: string[];
    pattern_applied?: string;
    tests_pass?: boolean;
    goals_pass?: GoalName[];
  };
}

/** A scenario as loaded: where it came from and the absolute paths it names. */
export interface LoadedEvalScenario {
  scenario: EvalScenario;
  /** Repository-relative path of the YAML file, for messages. */
  file: string;
  /** The evaluation directory (absolute) that fixtures and models are relative to. */
  evalDir: string;
}

export const DEFAULT_SCENARIO_TIMEOUT_S = 900;
export const DEFAULT_SETUP_TIMEOUT_S = 300;
export const DEFAULT_COMMAND_TIMEOUT_S = 300;
