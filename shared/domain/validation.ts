/**
 * Input validation with zod/mini schemas and one wording of what failed, used by the management edge (request
 * bodies and queries) and by the use cases (the same schemas, for callers that are not the edge). A failure is a
 * 400 (`invalidValue`) whose message names every failing field (at most 8). zod/mini carries no locale, so the
 * messages are worded here once.
 */
import type * as z from 'zod/mini';
import { ScimError } from '../scim/errors';

type Issue = z.core.$ZodIssue;

/** What a validation message calls the whole input and its members. */
export interface Vocabulary {
  whole: string;
  member: string;
}
export const BODY: Vocabulary = { whole: 'the request body', member: 'field' };
export const QUERY: Vocabulary = { whole: 'the query', member: 'query parameter' };

function fieldName(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p).slice(0, 64)}` : String(p).slice(0, 64);
  }
  return out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(cur, p)) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  int: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  object: 'a JSON object',
  array: 'an array',
  null: 'null',
};

const FORMATS: Record<string, string> = {
  email: 'an e-mail address',
  datetime: 'an ISO 8601 date-time with a time zone, e.g. 2030-01-31T00:00:00Z',
  url: 'a URL',
};

function describeIssue(issue: Issue, root: unknown, words: Vocabulary, prefix: readonly string[]): string {
  const field = fieldName([...prefix, ...issue.path]);
  const subject = field ? `'${field}'` : words.whole;
  const missing = issue.path.length > 0 && valueAt(root, issue.path) === undefined;
  if (missing && ['invalid_type', 'invalid_union', 'invalid_value'].includes(issue.code)) {
    return `${subject} is required`;
  }
  if (issue.message && issue.message !== 'Invalid input') return `${subject} ${issue.message}`;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const names = issue.keys.slice(0, 5).map((k) => `'${fieldName([...prefix, ...issue.path, k])}'`);
      const more = issue.keys.length > 5 ? ` (and ${issue.keys.length - 5} more)` : '';
      return `unknown ${words.member}${issue.keys.length > 1 ? 's' : ''} ${names.join(', ')}${more}`;
    }
    case 'invalid_type':
      return `${subject} must be ${EXPECTED[issue.expected] ?? issue.expected}`;
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? 'at least' : 'at most';
      const limit = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      if (issue.origin === 'string') return `${subject} must be ${bound} ${String(limit)} characters long`;
      if (issue.origin === 'array') return `${subject} must have ${bound} ${String(limit)} items`;
      return `${subject} must be ${bound} ${String(limit)}`;
    }
    case 'invalid_format':
      return `${subject} must be ${FORMATS[issue.format] ?? `in ${issue.format} format`}`;
    case 'invalid_value':
      return `${subject} must be one of ${issue.values.map((v) => `'${String(v)}'`).join(', ')}`;
    default:
      return `${subject} is invalid`;
  }
}

/**
 * Parses `input` with `schema`; on failure a 400 naming every failing field. `prefix` names where the input sits
 * in a larger one (e.g. ['policy']).
 */
export function parseInput<S extends z.ZodMiniType>(
  schema: S,
  input: unknown,
  words: Vocabulary = BODY,
  prefix: readonly string[] = [],
): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const messages = result.error.issues.slice(0, 8).map((i) => describeIssue(i, input, words, prefix));
  throw ScimError.invalidValue(messages.join('; '));
}
