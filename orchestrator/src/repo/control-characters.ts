import type { Diagnostic } from './diagnostics.js';
import { controlCharactersIn, firstControlCharacter } from '../util/terminal-text.js';

/**
 * The warning for a field people read on a terminal (a title, a description, a checklist item)
 * that holds control characters: cxo prints them escaped, but other tools may not, and a pull
 * request can use them to make the text look like something else.
 */
export function controlCharacterWarning(
  what: string,
  text: string,
  /** Builds the diagnostic; `offset` is where in `text` the first control character is. */
  at: (message: string, hint: string, offset: number) => Diagnostic,
  options: { block?: boolean } = {},
): Diagnostic[] {
  const found = controlCharactersIn(text, options.block);
  if (found.length === 0) return [];
  const shown = found.slice(0, 5).join(' ') + (found.length > 5 ? ' ...' : '');
  return [
    at(
      `${what} holds control characters (${shown}) a terminal would act on`,
      'remove them: cxo shows them escaped, but other tools print them raw',
      firstControlCharacter(text, options.block),
    ),
  ];
}
