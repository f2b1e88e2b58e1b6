// The API's rules for a task's text, checked in the form so a person is told before a round trip.
import { LIMITS } from '../api/types';

/** Control characters (Cc): never in a title or an assignee. */
const CONTROL = /\p{Cc}/u;
/** In a description, tab and line breaks are text; any other control character is not. */
const DESCRIPTION_CONTROL = /(?![\t\n\r])\p{Cc}/u;
/** Whitespace, control and format characters (Cf: zero-width, bidi controls, BOM, ...) show nothing: text of only these is blank. */
const INVISIBLE_ONLY = /^[\s\p{Cf}\p{Cc}]*$/u;
/**
 * What the API trims from both ends (Python's `str.strip()`: its whitespace, which is not quite JavaScript's
 * `trim()`: it takes U+001C-U+001F and U+0085 too, and leaves U+FEFF), so lengths are counted as it counts them.
 */
// eslint-disable-next-line no-control-regex -- the API's whitespace includes these control characters
const EDGE_WHITESPACE = /^[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

/** The one spelling the API stores: "é" typed as one character or as e + combining accent is the same text. */
export function normalizeText(text: string): string {
  return text.normalize('NFC');
}

/** The text as the API keeps it after trimming. */
export function trimLikeApi(text: string): string {
  return text.replace(EDGE_WHITESPACE, '');
}

/** Whether the text shows nothing: empty, whitespace, invisible format characters. */
export function isBlank(text: string): boolean {
  return INVISIBLE_ONLY.test(text);
}

/** Length as the API counts it: characters (code points), not UTF-16 units. */
function length(text: string): number {
  return Array.from(text).length;
}

function codePoint(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

function controlProblem(text: string, pattern: RegExp, what: string, allowed = ''): string | undefined {
  const found = pattern.exec(text);
  return found ? `${what} cannot contain control characters${allowed} (${codePoint(found[0])} here).` : undefined;
}

/** Why a title would be refused, or undefined. The API trims it first, so the limit applies to the trimmed text. */
export function titleProblem(title: string): string | undefined {
  const text = trimLikeApi(normalizeText(title));
  if (text === '') return BLANK_TITLE;
  const control = controlProblem(text, CONTROL, 'The title');
  if (control) return control;
  if (isBlank(text)) return BLANK_TITLE;
  const count = length(text);
  if (count > LIMITS.title) return `The title can be at most ${LIMITS.title} characters (this one has ${count}).`;
  return undefined;
}

const BLANK_TITLE = 'Enter a title: spaces and invisible characters alone do not count.';

export function descriptionProblem(description: string): string | undefined {
  const text = normalizeText(description);
  const control = controlProblem(text, DESCRIPTION_CONTROL, 'The description', ' other than tabs and line breaks');
  if (control) return control;
  const count = length(text);
  if (count > LIMITS.description) return `The description can be at most ${LIMITS.description} characters (this one has ${count}).`;
  return undefined;
}

/** A blank assignee means nobody: the form clears it rather than refusing it. */
export function assigneeProblem(assignee: string): string | undefined {
  const text = trimLikeApi(normalizeText(assignee));
  if (text === '') return undefined;
  const control = controlProblem(text, CONTROL, 'The assignee');
  if (control) return control;
  const count = length(text);
  if (count > LIMITS.assignee) return `The assignee can be at most ${LIMITS.assignee} characters (this one has ${count}).`;
  return undefined;
}
