import { z } from 'zod';
import type { ControlRegistry } from './control-registry.js';
import type { Router } from './router.js';
import { MAX_WINDOW_MS } from '../contracts/metrics.js';
import { routerSettingsSchema } from './settings.js';

const HOUR_MS = 3_600_000;

export const upstreamSchema = z.strictObject({
  id: z.string().min(1).max(200).regex(/^[\w.:@+-]+$/, 'use letters, digits and . _ - : @ +'),
  url: z
    .string()
    .url()
    .refine((value) => /^http:\/\/[^/]+\/?$/.test(value), 'expected an http origin like http://127.0.0.1:4100'),
});

export const setActiveSchema = z.strictObject({
  upstream: upstreamSchema,
  drainTimeoutMs: z.number().int().min(0).max(HOUR_MS).optional(),
});

export const setWeightsSchema = z.strictObject({
  upstream: upstreamSchema,
  percent: z.number().min(0).max(100),
  sticky: z.boolean().default(false),
});

export const drainSchema = z.strictObject({ id: z.string().min(1), timeoutMs: z.number().int().min(0).max(HOUR_MS) });
export const metricsSchema = z.strictObject({ id: z.string().min(1), windowMs: z.number().int().min(1).max(MAX_WINDOW_MS) });
const empty = z.strictObject({});

/** The router's own control methods. The daemon adds `router.shutdown`; other modules add theirs to the same registry. */
export function registerRouterMethods(registry: ControlRegistry, router: Router): void {
  registry.register('router.status', empty, () => router.status());
  registry.register('router.methods', empty, () => registry.list());
  registry.register('router.setActive', setActiveSchema, (params) =>
    router.setActive(params.upstream, { drainTimeoutMs: params.drainTimeoutMs }),
  );
  registry.register('router.setWeights', setWeightsSchema, (params) => router.setWeights(params));
  registry.register('router.drain', drainSchema, (params) => router.drain(params.id, params.timeoutMs));
  registry.register('router.metrics', metricsSchema, (params) => router.metrics(params.id, params.windowMs));
  registry.register('router.configure', routerSettingsSchema, (params) => router.configure(params));
  registry.register('router.pause', z.strictObject({ failAfterMs: z.number().int().min(1).max(HOUR_MS) }), (params) => router.pause(params.failAfterMs));
  registry.register('router.maintenance', z.strictObject({ message: z.string().max(2000) }), (params) => router.maintenance(params.message));
  registry.register('router.resume', empty, () => router.resume());
}
