/**
 * Tokeniser for SCIM filters (RFC 7644 §3.4.2.2) and PATCH paths (RFC 7644 §3.5.2).
 *
 * The lexer only knows delimiters, JSON strings and words. A word is any run of characters that are neither
 * whitespace nor one of `( ) [ ] "`; whether a word is an attribute path, an operator, a keyword or a bare value is
 * decided by the parser from its position. That keeps URNs (`urn:…:2.0:User:name.givenName`), GUIDs and e-mail
 * addresses in one token each.
 */
import type { ScimError } from '../errors';

export type Token =
  | { kind: 'word'; text: string; pos: number; end: number }
  /** A JSON string: `text` is the raw literal with its quotes, `value` the decoded string. */
  | { kind: 'string'; text: string; value: string; pos: number; end: number }
  | { kind: '(' | ')' | '[' | ']'; text: string; pos: number; end: number }
  | { kind: 'end'; text: ''; pos: number; end: number };

/** Builds the error to throw: `ScimError.invalidFilter` for filters, `ScimError.invalidPath` for PATCH paths. */
export type Fail = (detail: string) => ScimError;

const DELIMITERS = new Set(['(', ')', '[', ']']);
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};
const HEX4 = /^[0-9a-fA-F]{4}$/;

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f' || ch === '\v';
}

/** Shortens user input quoted in an error detail so that a 10 000-character filter is not echoed back. */
export function excerpt(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Splits `text` into tokens; the last token is always `end`. Linear in the input, never recursive. */
export function tokenize(text: string, fail: Fail): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (isSpace(ch)) {
      i += 1;
    } else if (ch === '(' || ch === ')' || ch === '[' || ch === ']') {
      tokens.push({ kind: ch, text: ch, pos: i, end: i + 1 });
      i += 1;
    } else if (ch === '"') {
      const token = readString(text, i, fail);
      tokens.push(token);
      i = token.end;
    } else {
      const start = i;
      while (i < text.length) {
        const c = text.charAt(i);
        if (isSpace(c) || c === '"' || DELIMITERS.has(c)) break;
        i += 1;
      }
      tokens.push({ kind: 'word', text: text.slice(start, i), pos: start, end: i });
    }
  }
  tokens.push({ kind: 'end', text: '', pos: text.length, end: text.length });
  return tokens;
}

function readString(text: string, start: number, fail: Fail): Token & { kind: 'string' } {
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (ch === '"') {
      return { kind: 'string', text: text.slice(start, i + 1), value, pos: start, end: i + 1 };
    }
    if (ch === '\\') {
      const esc = text.charAt(i + 1);
      const simple = SIMPLE_ESCAPES[esc];
      if (simple !== undefined) {
        value += simple;
        i += 2;
      } else if (esc === 'u' && HEX4.test(text.slice(i + 2, i + 6))) {
        value += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
        i += 6;
      } else {
        throw fail(
          `invalid escape '\\${excerpt(esc, 1)}' in the string at position ${start} (at position ${i})`,
        );
      }
    } else {
      // Raw control characters are accepted (lenient): JSON would reject them, real clients rarely send them.
      value += ch;
      i += 1;
    }
  }
  throw fail(`unterminated string starting at position ${start}`);
}
