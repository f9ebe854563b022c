/**
 * Finds one task's object in the task index text without building a syntax tree: a single
 * string-aware pass over the text that stops at the task. A status write-back edits only that
 * slice, so its cost does not grow with the size of a syntax tree of the whole file.
 */

export interface TaskSlice {
  /** Position of the task in the tasks array. */
  position: number;
  /** Offset of the task's `{`. */
  start: number;
  /** Offset just after its `}`. */
  end: number;
}

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;
const COLON = 58;

/**
 * The slice of task `id` in a task index text that is valid JSON (check that first: the scan
 * trusts the structure). Undefined when the task is not there.
 */
export function locateTask(text: string, id: string): TaskSlice | undefined {
  let depth = 0;
  let inTasks = false;
  let position = -1;
  let taskStart = -1;
  let lastKey: string | undefined;
  let lastKeyDepth = -1;
  let found = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const close = closingQuote(text, i);
      let j = close + 1;
      while (j < text.length && isSpace(text.charCodeAt(j))) j++;
      if (text.charCodeAt(j) === COLON) {
        // only two keys matter ("tasks" at the top, "id" in a task): decode the others never
        lastKey = depth === 1 || depth === 3 ? stringAt(text, i, close) : undefined;
        lastKeyDepth = depth;
      } else if (inTasks && depth === 3 && lastKeyDepth === 3 && lastKey === 'id') {
        // a string value of the task's own "id" key
        if (stringAt(text, i, close) === id) found = true;
      }
      i = close;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth++;
      if (c === OPEN_ARRAY && depth === 2 && lastKeyDepth === 1 && lastKey === 'tasks') inTasks = true;
      else if (inTasks && depth === 3 && c === OPEN_OBJECT) {
        position++;
        taskStart = i;
        found = false;
      }
      lastKeyDepth = -1;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (inTasks && depth === 3 && c === CLOSE_OBJECT && found)
        return { position, start: taskStart, end: i + 1 };
      if (inTasks && depth === 2) inTasks = false;
      depth--;
      lastKeyDepth = -1;
    }
  }
  return undefined;
}

/** The string literal between the quotes at `open` and `close`, decoded only when it has escapes. */
function stringAt(text: string, open: number, close: number): string {
  const raw = text.slice(open + 1, close);
  return raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
}

/** The index of the quote that closes the string opened at `open`. */
function closingQuote(text: string, open: number): number {
  let i = open;
  for (;;) {
    i = text.indexOf('"', i + 1);
    if (i < 0) return text.length - 1;
    let backslashes = 0;
    while (text.charCodeAt(i - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return i;
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}
