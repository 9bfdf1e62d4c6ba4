import type { z } from 'zod';
import { isUserError } from '../errors.js';
import { ControlError, type ControlResponse } from './control-protocol.js';

export type ControlHandler<S extends z.ZodType> = (params: z.output<S>) => unknown;

/**
 * The methods the control socket answers. Other modules add their own (e.g. `apps.start`) with `register`; every
 * input is validated by the method's zod schema before its handler runs, so a rejected call changes nothing.
 */
export class ControlRegistry {
  private readonly methods = new Map<string, { schema: z.ZodType; handler: (params: unknown) => unknown }>();

  register<S extends z.ZodType>(method: string, schema: S, handler: ControlHandler<S>): void {
    if (this.methods.has(method)) throw new Error(`control method ${method} is already registered`);
    this.methods.set(method, { schema, handler: handler as (params: unknown) => unknown });
  }

  list(): string[] {
    return [...this.methods.keys()].sort();
  }

  async call(id: number, method: string, params: unknown): Promise<ControlResponse> {
    const entry = this.methods.get(method);
    if (!entry) return { id, error: { code: 'unknown_method', message: `unknown method "${method}"` } };
    const parsed = entry.schema.safeParse(params ?? {});
    if (!parsed.success) return { id, error: { code: 'invalid_params', message: `${method}: ${describeIssues(parsed.error.issues)}` } };
    try {
      const result = await entry.handler(parsed.data);
      return { id, result: result ?? null };
    } catch (error) {
      if (isUserError(error)) return { id, error: { code: 'rejected', message: error.message, exitCode: error.exitCode } };
      if (error instanceof ControlError) return { id, error: { code: 'rejected', message: error.message } };
      return { id, error: { code: 'internal', message: error instanceof Error ? error.message : String(error) } };
    }
  }
}

/** `params.upstream.url: Invalid URL; params.percent: Too big` — each issue with its path, like config errors. */
export function describeIssues(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues
    .map((issue) => `${['params', ...issue.path.map(String)].join('.')}: ${issue.message}`)
    .join('; ');
}
