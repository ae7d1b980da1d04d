/** SCIM filters and attribute paths: parse (text → AST), format (AST → text), validate and evaluate in memory. */
export type { AttrPath, CompareOp, Filter, FilterValue } from './ast';
export type { Fail } from './lexer';
export { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, parseFilter, parsePath } from './parser';
export { formatFilter, formatPath, formatValue } from './format';
export {
  compileFilter,
  evaluateFilter,
  findSubAttribute,
  parseDateTime,
  resolvePath,
  validateFilter,
  type ResolvedPath,
  type ResourcePredicate,
} from './evaluate';
