import { describe, expect, it } from 'vitest';
import { assigneeProblem, descriptionProblem, isBlank, normalizeText, titleProblem, trimLikeApi } from './textRules';

const BLANK = 'Enter a title: spaces and invisible characters alone do not count.';

describe('title', () => {
  it('is refused when empty or only whitespace', () => {
    expect(titleProblem('')).toBe(BLANK);
    expect(titleProblem('   ')).toBe(BLANK);
    expect(titleProblem('\u3000\u00a0 ')).toBe(BLANK);
    // Tabs and line breaks at the ends are whitespace the API trims, not control characters it refuses.
    expect(titleProblem(' \t\n ')).toBe(BLANK);
  });

  it('is refused when only invisible characters: zero-width, word joiner, BOM, bidi controls, other format characters', () => {
    for (const invisible of ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u200e', '\u200f', '\u202a', '\u202e', '\u2066', '\u2069', '\u00ad', '\u061c']) {
      expect(titleProblem(invisible)).toBe(BLANK);
      expect(titleProblem(` ${invisible} ${invisible}`)).toBe(BLANK);
    }
  });

  it('with something visible among invisible characters is a title', () => {
    expect(titleProblem('\u200bHi\u200b')).toBeUndefined();
    expect(titleProblem('\u202eabc\u202c')).toBeUndefined();
    expect(titleProblem('👍')).toBeUndefined();
  });

  it('refuses control characters, naming the first', () => {
    expect(titleProblem('Pay\u0000 rent')).toBe('The title cannot contain control characters (U+0000 here).');
    expect(titleProblem('Pay\trent')).toBe('The title cannot contain control characters (U+0009 here).');
    expect(titleProblem('Pay\nrent')).toMatch(/U\+000A/);
    expect(titleProblem('Pay\u007frent')).toMatch(/U\+007F/);
    expect(titleProblem('Pay\u0085rent')).toMatch(/U\+0085/);
    expect(titleProblem('Pay\u009frent')).toMatch(/U\+009F/);
  });

  it('is at most 200 characters once trimmed, counted as the API counts them (code points)', () => {
    expect(titleProblem('a'.repeat(200))).toBeUndefined();
    expect(titleProblem(`  ${'a'.repeat(200)}  `)).toBeUndefined();
    expect(titleProblem('a'.repeat(201))).toBe('The title can be at most 200 characters (this one has 201).');
    // 200 emoji are 400 UTF-16 units but 200 characters.
    expect(titleProblem('😀'.repeat(200))).toBeUndefined();
    expect(titleProblem('😀'.repeat(201))).toMatch(/has 201/);
  });

  it('is counted after NFC: e + combining accent is one character', () => {
    expect(titleProblem('e\u0301'.repeat(200))).toBeUndefined();
  });
});

describe('description', () => {
  it('keeps tabs and line breaks', () => {
    expect(descriptionProblem('one\ttwo\nthree\r\nfour')).toBeUndefined();
  });

  it('refuses any other control character', () => {
    expect(descriptionProblem('bell\u0007')).toBe('The description cannot contain control characters other than tabs and line breaks (U+0007 here).');
    expect(descriptionProblem('\u0000')).toMatch(/U\+0000/);
    expect(descriptionProblem('a\u000bb')).toMatch(/U\+000B/);
    expect(descriptionProblem('a\u0085b')).toMatch(/U\+0085/);
  });

  it('allows invisible format characters and an empty text', () => {
    expect(descriptionProblem('')).toBeUndefined();
    expect(descriptionProblem('\u200b')).toBeUndefined();
  });

  it('is at most 1000 characters', () => {
    expect(descriptionProblem('a'.repeat(1000))).toBeUndefined();
    expect(descriptionProblem('a'.repeat(1001))).toBe('The description can be at most 1000 characters (this one has 1001).');
  });
});

describe('assignee', () => {
  it('refuses control characters', () => {
    expect(assigneeProblem('ann\u0000')).toBe('The assignee cannot contain control characters (U+0000 here).');
    expect(assigneeProblem('ann\tlee')).toMatch(/U\+0009/);
  });

  it('is at most 100 characters once trimmed', () => {
    expect(assigneeProblem(` ${'a'.repeat(100)} `)).toBeUndefined();
    expect(assigneeProblem('a'.repeat(101))).toBe('The assignee can be at most 100 characters (this one has 101).');
  });

  it('blank means nobody, not a mistake', () => {
    expect(assigneeProblem('')).toBeUndefined();
    expect(assigneeProblem('   ')).toBeUndefined();
  });
});

describe('text as the API sees it', () => {
  it('is NFC-normalised', () => {
    expect(normalizeText('Cafe\u0301')).toBe('Caf\u00e9');
    expect(normalizeText('Caf\u00e9')).toBe('Caf\u00e9');
  });

  it("is trimmed of Python's whitespace, not JavaScript's", () => {
    expect(trimLikeApi(' \u3000a b\u2029\u0085')).toBe('a b');
    expect(trimLikeApi('\ufeffa')).toBe('\ufeffa');
  });

  it('is blank when nothing in it shows', () => {
    expect(isBlank('\u200b \u2060')).toBe(true);
    expect(isBlank('\u200b.')).toBe(false);
  });
});
