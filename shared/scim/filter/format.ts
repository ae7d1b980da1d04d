/**
 * Formats a filter AST back to RFC 7644 text: the inverse of `parseFilter` (`parseFilter(formatFilter(f))` deep-equals
 * `f` for every AST the parser can produce). Strings are JSON-quoted; parentheses are added only where precedence
 * (not > and > or, both left-associative) needs them. Used for logs, cursors and tests.
 */
import type { AttrPath, Filter, FilterValue } from './ast';

export function formatFilter(filter: Filter): string {
  switch (filter.kind) {
    case 'compare':
      return `${formatPath(filter.path)} ${filter.op} ${formatValue(filter.value)}`;
    case 'present':
      return `${formatPath(filter.path)} pr`;
    case 'valuePath':
      return `${formatPath(filter.path)}[${formatFilter(filter.filter)}]`;
    case 'not':
      return `not (${formatFilter(filter.filter)})`;
    case 'and':
      return `${group(filter.left, filter.left.kind === 'or')} and ${group(filter.right, filter.right.kind === 'or' || filter.right.kind === 'and')}`;
    case 'or':
      return `${formatFilter(filter.left)} or ${group(filter.right, filter.right.kind === 'or')}`;
  }
}

/** Formats an attribute path: `[urn:…:]attr[\[valFilter\]][.sub]`. */
export function formatPath(path: AttrPath): string {
  const head = path.schema === undefined ? path.attr : `${path.schema}:${path.attr}`;
  const filter = path.valueFilter === undefined ? '' : `[${formatFilter(path.valueFilter)}]`;
  const sub = path.sub === undefined ? '' : `.${path.sub}`;
  return `${head}${filter}${sub}`;
}

export function formatValue(value: FilterValue): string {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new RangeError(`cannot format the non-finite number ${value} as a SCIM filter value`);
  }
  return JSON.stringify(value);
}

function group(filter: Filter, parenthesise: boolean): string {
  return parenthesise ? `(${formatFilter(filter)})` : formatFilter(filter);
}
