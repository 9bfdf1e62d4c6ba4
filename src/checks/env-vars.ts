import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import type { PreCheckResult } from '../contracts/summary.js';
import { ExitCode } from '../errors.js';
import { parseDotenv } from '../config/dotenv.js';

/** Same shape as the config's RequiredVar; narrow on purpose. */
export interface RequiredVarSpec {
  name: string;
  type?: 'string' | 'url' | 'number' | 'enum';
  values?: string[] | null;
  minLength?: number | null;
}

export interface EnvVarsInput {
  required: RequiredVarSpec[];
  /** Candidate values: env files with the process environment on top (see loadEnvValues). Secret. */
  values: Readonly<Record<string, string | undefined>>;
}

export interface EnvVarsCheck {
  result: PreCheckResult;
  /** The required variables' values, for green's environment. Secret: never print or store. */
  resolved: Record<string, string>;
}

const NAME = 'Env Vars';

/** Checks every required variable is set and well-formed. Messages name variables and what was expected, never a value. */
export function checkEnvVars(input: EnvVarsInput): EnvVarsCheck {
  const missing: string[] = [];
  const invalid: string[] = [];
  const resolved: Record<string, string> = {};
  for (const spec of input.required) {
    const value = input.values[spec.name];
    if (value === undefined || value === '') {
      missing.push(spec.name);
      continue;
    }
    const problem = validate(spec, value);
    if (problem) invalid.push(`${spec.name} (${problem})`);
    else resolved[spec.name] = value;
  }
  if (missing.length === 0 && invalid.length === 0) {
    const detail = input.required.length === 0 ? 'none required' : `all configured (${input.required.length} required)`;
    return { result: { name: NAME, ok: true, detail }, resolved };
  }
  const parts: string[] = [];
  if (missing.length) parts.push(`missing ${missing.join(', ')}`);
  if (invalid.length) parts.push(`invalid ${invalid.join(', ')}`);
  return { result: { name: NAME, ok: false, detail: parts.join('; '), exitCode: ExitCode.precheckFailed }, resolved };
}

/** zod validates; we only keep whether it passed, because zod's own messages may quote the input. */
function validate(spec: RequiredVarSpec, value: string): string | null {
  const type = spec.type ?? 'string';
  if (type === 'url' && !z.url().safeParse(value).success) return 'expected a URL';
  if (type === 'number' && !z.coerce.number().finite().safeParse(value.trim() === '' ? NaN : value).success) return 'expected a number';
  if (type === 'enum' && spec.values && !z.enum(spec.values as [string, ...string[]]).safeParse(value).success) {
    return `expected one of ${spec.values.join('|')}`;
  }
  if (spec.minLength && !z.string().min(spec.minLength).safeParse(value).success) return `shorter than ${spec.minLength} characters`;
  return null;
}

export interface LoadEnvValuesInput {
  projectRoot: string;
  /** dotenv files, absolute or relative to projectRoot; later files win. Missing files are skipped. */
  files: string[];
  processEnv?: Readonly<Record<string, string | undefined>>;
}

/** Env files merged in order, with the process environment on top (the config's precedence). */
export async function loadEnvValues(input: LoadEnvValuesInput): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const file of input.files) {
    const path = isAbsolute(file) ? file : join(input.projectRoot, file);
    try {
      Object.assign(out, parseDotenv(await readFile(path, 'utf8')));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  for (const [key, value] of Object.entries(input.processEnv ?? process.env)) if (value !== undefined) out[key] = value;
  return out;
}
