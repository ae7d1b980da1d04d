/**
 * Recursive-descent parser for SCIM filters (RFC 7644 §3.4.2.2) and PATCH paths (RFC 7644 §3.5.2).
 *
 *   filter   = or
 *   or       = and *("or" and)                          ; left-associative
 *   and      = unary *("and" unary)                     ; left-associative
 *   unary    = "not" ["("] … / "(" or ")" / attrExp / valuePath
 *   attrExp  = attrPath "pr" / attrPath compareOp compValue
 *   valuePath = attrPath "[" valFilter "]" ["." subAttr (("pr") / (compareOp compValue))]
 *
 * Precedence is not > and > or. Keywords and operators are case-insensitive. Nesting (parentheses, `not`, value
 * filters) is limited to {@link MAX_FILTER_DEPTH} and the text to {@link MAX_FILTER_LENGTH} characters, so the
 * recursion depth is bounded whatever the input.
 *
 * Leniency (what real identity providers send): an unquoted value that is neither a number nor true/false/null
 * is a string (`userName eq 5b7a3c1e-…`); `not` may be followed by a term without parentheses; any whitespace
 * separates tokens.
 */
import { ScimError } from '../errors';
import type { AttrPath, CompareOp, Filter, FilterValue } from './ast';
import { excerpt, tokenize, type Fail, type Token } from './lexer';

export const MAX_FILTER_LENGTH = 10_000;
export const MAX_FILTER_DEPTH = 32;

const COMPARE_OPS: ReadonlySet<string> = new Set<CompareOp>([
  'eq',
  'ne',
  'co',
  'sw',
  'ew',
  'gt',
  'ge',
  'lt',
  'le',
]);
const OPERATOR_WORDS: ReadonlySet<string> = new Set([...COMPARE_OPS, 'pr']);
const CONJUNCTIONS: ReadonlySet<string> = new Set(['and', 'or']);
const LOGICAL_WORDS: ReadonlySet<string> = new Set([...CONJUNCTIONS, 'not']);
/** Names that would reach the prototype chain of a plain object if they were ever used as keys. */
const FORBIDDEN_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
/** RFC 7643 §2.1 ATTRNAME (ALPHA *(nameChar)), plus a leading `$` for `$ref`. */
const ATTR_NAME = /^\$?[A-Za-z][A-Za-z0-9_-]*$/;
/** JSON number (RFC 8259 §6). */
const JSON_NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;
const URN_PREFIX = /^urn:/i;

/** Parses a `filter` query parameter (or `.search` body filter). Throws `ScimError.invalidFilter`. */
export function parseFilter(text: string): Filter {
  const fail: Fail = (detail) => ScimError.invalidFilter(detail);
  const parser = new Parser(prepare(text, 'filter', fail), 'filter', fail);
  const filter = parser.parseOr(false);
  parser.expectEnd();
  return filter;
}

/** Parses a PATCH operation `path` (`attrPath / valuePath [subAttr]`). Throws `ScimError.invalidPath`. */
export function parsePath(text: string): AttrPath {
  const fail: Fail = (detail) => ScimError.invalidPath(detail);
  const parser = new Parser(prepare(text, 'path', fail), 'path', fail);
  const path = parser.parsePatchPath();
  parser.expectEnd();
  return path;
}

function prepare(text: unknown, what: 'filter' | 'path', fail: Fail): Token[] {
  if (typeof text !== 'string') throw fail(`the ${what} must be a string`);
  if (text.length > MAX_FILTER_LENGTH) {
    throw fail(`the ${what} is longer than ${MAX_FILTER_LENGTH} characters`);
  }
  if (text.trim() === '') throw fail(`the ${what} is empty`);
  return tokenize(text, fail);
}

class Parser {
  private index = 0;
  private depth = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly what: 'filter' | 'path',
    private readonly fail: Fail,
  ) {}

  parseOr(inValueFilter: boolean): Filter {
    let left = this.parseAnd(inValueFilter);
    while (this.peekKeyword('or')) {
      this.next();
      const right = this.parseAnd(inValueFilter);
      left = { kind: 'or', left, right };
    }
    return left;
  }

  parsePatchPath(): AttrPath {
    const word = this.next();
    if (word.kind !== 'word') {
      throw this.fail(`expected an attribute path ${this.where(word)}, found ${this.describe(word)}`);
    }
    const path = this.attrPath(word);
    if (this.peek().kind !== '[') return path;
    const { head, valueFilter, sub } = this.valueFilterPath(word, path);
    return sub === undefined ? { ...head, valueFilter } : { ...head, valueFilter, sub };
  }

  expectEnd(): void {
    const token = this.peek();
    if (token.kind === 'end') return;
    const expected = this.what === 'filter' ? "'and', 'or' or the end of the filter" : 'the end of the path';
    throw this.fail(`unexpected ${this.describe(token)} ${this.where(token)}; expected ${expected}`);
  }

  private parseAnd(inValueFilter: boolean): Filter {
    let left = this.parseUnary(inValueFilter);
    while (this.peekKeyword('and')) {
      this.next();
      const right = this.parseUnary(inValueFilter);
      left = { kind: 'and', left, right };
    }
    return left;
  }

  private parseUnary(inValueFilter: boolean): Filter {
    const token = this.peek();
    if (token.kind === '(') {
      this.next();
      return this.nested(token, () => this.parenthesised(token, inValueFilter));
    }
    if (token.kind === 'word' && token.text.toLowerCase() === 'not' && this.notIsKeyword()) {
      this.next();
      return this.nested(token, () => {
        const open = this.peek();
        if (open.kind === '(') {
          this.next();
          return { kind: 'not', filter: this.parenthesised(open, inValueFilter) };
        }
        return { kind: 'not', filter: this.parseUnary(inValueFilter) };
      });
    }
    if (token.kind === 'word' && !CONJUNCTIONS.has(token.text.toLowerCase())) {
      this.next();
      return this.attrExpression(token, inValueFilter);
    }
    throw this.fail(`expected an attribute path or '(' ${this.where(token)}, found ${this.describe(token)}`);
  }

  private parenthesised(open: Token, inValueFilter: boolean): Filter {
    const inner = this.parseOr(inValueFilter);
    this.expect(')', open);
    return inner;
  }

  /** `not` is the keyword unless it is itself an attribute name (`not pr`, `not eq "x"`). */
  private notIsKeyword(): boolean {
    const after = this.peek(1);
    if (after.kind === '(') return true;
    return after.kind === 'word' && !OPERATOR_WORDS.has(after.text.toLowerCase());
  }

  private attrExpression(word: Token, inValueFilter: boolean): Filter {
    const path = this.attrPath(word);
    if (this.peek().kind === '[') {
      if (inValueFilter) {
        throw this.fail(`value filters cannot be nested ${this.where(this.peek())}`);
      }
      const { head, valueFilter, sub } = this.valueFilterPath(word, path);
      if (sub === undefined) return { kind: 'valuePath', path: head, filter: valueFilter };
      return this.comparison({ ...head, valueFilter, sub }, `${word.text}[…].${sub}`);
    }
    return this.comparison(path, word.text);
  }

  /** `attr[valFilter]` and an optional adjacent `.sub`; the `[` is the next token. */
  private valueFilterPath(
    word: Token,
    path: AttrPath,
  ): { head: AttrPath; valueFilter: Filter; sub: string | undefined } {
    if (path.sub !== undefined) {
      throw this.fail(
        `a value filter cannot follow the sub-attribute in '${excerpt(word.text)}' ${this.where(word)}`,
      );
    }
    const open = this.next();
    const valueFilter = this.nested(open, () => {
      const inner = this.parseOr(true);
      this.expect(']', open);
      return inner;
    });
    const closeEnd = this.peek(-1).end;
    const after = this.peek();
    const head = pathHead(path);
    if (after.kind === 'word' && after.pos === closeEnd && after.text.startsWith('.')) {
      this.next();
      return { head, valueFilter, sub: this.name(after.text.slice(1), after) };
    }
    return { head, valueFilter, sub: undefined };
  }

  private comparison(path: AttrPath, label: string): Filter {
    const opToken = this.peek();
    const op = opToken.kind === 'word' ? opToken.text.toLowerCase() : '';
    if (!OPERATOR_WORDS.has(op)) {
      throw this.fail(
        `expected an operator after '${excerpt(label)}' ${this.where(opToken)}, found ${this.describe(opToken)}`,
      );
    }
    this.next();
    if (op === 'pr') return { kind: 'present', path };
    return { kind: 'compare', path, op: op as CompareOp, value: this.value(op) };
  }

  private value(op: string): FilterValue {
    const token = this.next();
    if (token.kind === 'string') return token.value;
    if (token.kind === 'word') {
      const lower = token.text.toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
      if (lower === 'null') return null;
      if (JSON_NUMBER.test(token.text)) {
        const n = Number(token.text);
        if (!Number.isFinite(n))
          throw this.fail(`number '${excerpt(token.text)}' is out of range ${this.where(token)}`);
        return n === 0 ? 0 : n; // -0 becomes 0: the AST has one zero
      }
      // Lenient: an unquoted value (a GUID, an e-mail address) is a string, unless it is a logical keyword.
      if (!LOGICAL_WORDS.has(lower)) return token.text;
    }
    throw this.fail(`expected a value after '${op}' ${this.where(token)}, found ${this.describe(token)}`);
  }

  /** Splits a word into `[urn:…:]attr[.sub]`; the URN is everything up to the last `:`. */
  private attrPath(word: Token): AttrPath {
    const text = word.text;
    let schema: string | undefined;
    let rest = text;
    if (URN_PREFIX.test(text)) {
      const colon = text.lastIndexOf(':');
      schema = text.slice(0, colon);
      rest = text.slice(colon + 1);
      if (rest === '') {
        throw this.fail(
          `expected an attribute name after the schema URN '${excerpt(text)}' ${this.where(word)}`,
        );
      }
    }
    const parts = rest.split('.');
    if (parts.length > 2) {
      throw this.fail(
        `invalid attribute path '${excerpt(text)}' ${this.where(word)}: at most one sub-attribute`,
      );
    }
    const attr = this.name(parts[0] ?? '', word);
    const path: AttrPath = schema === undefined ? { attr } : { schema, attr };
    if (parts.length === 2) path.sub = this.name(parts[1] ?? '', word);
    return path;
  }

  private name(name: string, token: Token): string {
    if (FORBIDDEN_NAMES.has(name.toLowerCase())) {
      throw this.fail(`attribute name '${name}' is not allowed ${this.where(token)}`);
    }
    if (!ATTR_NAME.test(name)) {
      throw this.fail(
        `invalid attribute name '${excerpt(name)}' in '${excerpt(token.text)}' ${this.where(token)}`,
      );
    }
    return name;
  }

  /** Runs `body` one nesting level deeper; the limit keeps the recursion (and every later AST walk) shallow. */
  private nested<T>(token: Token, body: () => T): T {
    this.depth += 1;
    if (this.depth > MAX_FILTER_DEPTH) {
      throw this.fail(
        `the ${this.what} is nested deeper than ${MAX_FILTER_DEPTH} levels ${this.where(token)}`,
      );
    }
    const result = body();
    this.depth -= 1;
    return result;
  }

  private expect(kind: ')' | ']', open: Token): void {
    const token = this.peek();
    if (token.kind !== kind) {
      throw this.fail(
        `expected '${kind}' ${this.where(token)} to close the '${open.text}' at position ${open.pos}, found ${this.describe(token)}`,
      );
    }
    this.next();
  }

  private peekKeyword(keyword: 'and' | 'or'): boolean {
    const token = this.peek();
    return token.kind === 'word' && token.text.toLowerCase() === keyword;
  }

  private peek(ahead = 0): Token {
    const last = this.tokens[this.tokens.length - 1] as Token;
    return this.tokens[this.index + ahead] ?? last;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index += 1;
    return token;
  }

  private where(token: Token): string {
    return token.kind === 'end' ? `at the end of the ${this.what}` : `at position ${token.pos}`;
  }

  private describe(token: Token): string {
    return token.kind === 'end' ? 'nothing' : `'${excerpt(token.text)}'`;
  }
}

function pathHead(path: AttrPath): AttrPath {
  return path.schema === undefined ? { attr: path.attr } : { schema: path.schema, attr: path.attr };
}
