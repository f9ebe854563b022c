import { validatePrd, validateSpec } from '../generated/validators.js';
import { controlCharacterWarning } from './control-characters.js';
import type { Diagnostic } from './diagnostics.js';
import { type FrontMatterDocument, parseFrontMatter } from './front-matter.js';
import { validateWithSchema } from './schema-validation.js';
import { diagnosticAt, LineIndex, type SourceText } from './source-text.js';
import type { PrdFields, SpecFields } from './spec-types.js';

export interface SpecDoc {
  file: string;
  fields: SpecFields;
  doc: FrontMatterDocument;
  /** The approval digest of this content, when the loader computed or cached it. */
  digest?: string;
}

export interface PrdDoc {
  file: string;
  /** Undefined for a PRD without front matter, which still loads (with a warning). */
  fields?: PrdFields;
  doc?: FrontMatterDocument;
  body: string;
}

/** Parses a mini-spec: front matter is required and validated. */
export function parseSpec(source: SourceText): { spec?: SpecDoc; diagnostics: Diagnostic[] } {
  const parsed = parseFrontMatter(source);
  if (parsed.absent) {
    return {
      diagnostics: [
        diagnosticAt(
          new LineIndex(source.text),
          source.file,
          0,
          'error',
          'front-matter',
          'mini-spec has no front matter',
          'start the file with a --- block holding id, title, status, owners, risk and last_review (`cxo spec new` writes one)',
        ),
      ],
    };
  }
  if (!parsed.doc) return { diagnostics: parsed.diagnostics };
  const doc = parsed.doc;
  const diagnostics = [...parsed.diagnostics, ...validateWithSchema(validateSpec, doc.data, doc.locate)];
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  const fields = doc.data as unknown as SpecFields;
  diagnostics.push(...titleWarning('spec title', fields.title, doc));
  return { spec: { file: source.file, fields, doc }, diagnostics };
}

/** Parses a PRD: front matter is optional; when present it is validated. */
export function parsePrd(source: SourceText): { prd?: PrdDoc; diagnostics: Diagnostic[] } {
  const parsed = parseFrontMatter(source);
  if (parsed.absent) {
    return {
      prd: { file: source.file, body: source.text },
      diagnostics: [
        diagnosticAt(
          new LineIndex(source.text),
          source.file,
          0,
          'warning',
          'front-matter',
          'PRD has no front matter; it loads, but has no id or title',
          'add a --- block with at least id and title',
        ),
      ],
    };
  }
  if (!parsed.doc) return { diagnostics: parsed.diagnostics };
  const doc = parsed.doc;
  const diagnostics = [...parsed.diagnostics, ...validateWithSchema(validatePrd, doc.data, doc.locate)];
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  const fields = doc.data as unknown as PrdFields;
  diagnostics.push(...titleWarning('PRD title', fields.title, doc));
  return {
    prd: { file: source.file, fields, doc, body: doc.body },
    diagnostics,
  };
}

function titleWarning(what: string, title: unknown, doc: FrontMatterDocument): Diagnostic[] {
  if (typeof title !== 'string') return [];
  return controlCharacterWarning(what, title, (message, hint) =>
    doc.locate(['title'], 'warning', 'control-characters', message, hint),
  );
}
