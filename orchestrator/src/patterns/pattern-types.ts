/** One entry of patterns/index.json (schemas/patterns-index.schema.json). */
export type PatternKind = 'codemod' | 'lint-rule' | 'template';
export type OptionValue = string | number | boolean;

export interface PatternOption {
  type: 'string' | 'number' | 'boolean';
  default?: OptionValue;
  description: string;
}

export interface PatternExample {
  /** Paths relative to patterns/. */
  before: string;
  after: string;
  options?: Record<string, OptionValue>;
}

export interface PatternEntry {
  id: string;
  kind: PatternKind;
  version: string;
  languages: string[];
  description: string;
  /** Path relative to patterns/. */
  entry: string;
  examples?: PatternExample[];
  options?: Record<string, PatternOption>;
}

export interface PatternLibrary {
  /** Absolute directory holding index.json. */
  dir: string;
  patterns: PatternEntry[];
  byId: Map<string, PatternEntry>;
}
