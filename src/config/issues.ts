import type * as z from 'zod';

/** One config problem, rendered as `path: message` (changesets/Kamal style). */
export interface ConfigProblem {
  path: string;
  message: string;
}

type Issue = z.core.$ZodIssue;

/** Unknown keys are named only when they look like key names: a file that is not a config never gets quoted. */
const SHOWABLE_KEY = /^[A-Za-z0-9_$-]{1,64}$/;

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(root)';
}

/** Flattens zod issues into problems with paths, never quoting the offending value (it may be a secret). */
export function problemsFromIssues(issues: readonly Issue[], prefix: PropertyKey[] = []): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) problems.push(SHOWABLE_KEY.test(key) ? { path: formatPath([...path, key]), message: 'unknown key' } : { path: formatPath(path), message: 'unknown key (its name is not shown: not a plain key name)' });
        break;
      case 'invalid_key':
        problems.push(...problemsFromIssues(issue.issues as Issue[], path).map((p) => ({ ...p, path: formatPath(path) })));
        break;
      case 'invalid_union': {
        const branch = pickUnionBranch(issue.errors as Issue[][]);
        if (branch) problems.push(...problemsFromIssues(branch, path));
        else problems.push({ path: formatPath(path), message: issue.message });
        break;
      }
      case 'invalid_type':
        problems.push({ path: formatPath(path), message: issue.message.startsWith('Invalid input') ? plainTypeMessage(issue) : issue.message });
        break;
      default:
        problems.push({ path: formatPath(path), message: issue.message });
    }
  }
  return dedupe(problems);
}

/** A union's branch that matched the value's shape (no type error at its root) explains the problem best. */
function pickUnionBranch(branches: Issue[][]): Issue[] | null {
  const shaped = branches.filter((issues) => !issues.some((i) => i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_value')));
  return shaped.length === 1 ? shaped[0] : null;
}

function plainTypeMessage(issue: Extract<Issue, { code: 'invalid_type' }>): string {
  if (issue.message.includes('received undefined')) return 'required';
  const expected = issue.expected === 'int' ? 'a whole number' : issue.expected === 'object' ? 'a mapping' : issue.expected === 'array' ? 'a list' : `a ${issue.expected}`;
  return `expected ${expected}`;
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
