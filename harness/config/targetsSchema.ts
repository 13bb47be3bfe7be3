// The public contract of targets.yaml (see DESIGN.md), as a zod schema.
import { z } from 'zod';
import { referenceEdgeFaultNames } from '../../lab/referenceEdge/faults.js';
import { dialectNames } from '../cacheStatus/index.js';
import { duration } from './schemaParts.js';

export const labNames = ['reference', 'nginx', 'varnish', 'trafficserver', 'squid'] as const;

const ttl = z.strictObject({
  min: z.number().nonnegative().optional(),
  default: z.number().nonnegative().optional(),
  max: z.number().nonnegative().optional(),
});

export const routeSchema = z.union([
  z.string().startsWith('/'),
  z.strictObject({
    path: z.string().startsWith('/'),
    ttl: ttl.optional(),
    error_ttl: duration.optional(),
    query_key: z.union([z.enum(['all', 'none']), z.array(z.string())]).optional(),
    compress: z.boolean().optional(),
    failover: z.boolean().optional(),
  }),
]);

const tlsVersion = z.enum(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);

export const targetSchema = z
  .strictObject({
    lab: z.enum(labNames).optional(),
    faults: z.array(z.enum(referenceEdgeFaultNames)).optional(),
    url: z.url({ protocol: /^https?$/ }).optional(),
    hostnames: z.array(z.string()).optional(),
    edges: z.union([z.literal('dns'), z.array(z.string()).min(1)]).optional(),
    cache_status: z.enum(['auto', ...dialectNames]).optional(),
    origin: z
      .strictObject({
        control: z.url({ protocol: /^https?$/ }),
        token: z.string().min(1),
        ca: z.string().optional(),
        /** how long after a response its background fetches may still reach the origin's log (default 50ms) */
        settle: duration.optional(),
      })
      .optional(),
    routes: z.record(z.string(), routeSchema).optional(),
    tls: z
      .strictObject({
        ca: z.string().optional(),
        min_days_left: z.number().int().nonnegative().optional(),
        protocols: z
          .strictObject({ accept: z.array(tlsVersion).optional(), refuse: z.array(tlsVersion).optional() })
          .optional(),
        alpn: z.array(z.string().min(1).max(255)).optional(),
        hsts: z.strictObject({ min_max_age: z.number().int().nonnegative() }).optional(),
      })
      .optional(),
    invalidation: z.looseObject({ provider: z.string() }).optional(),
    signing: z.looseObject({ scheme: z.string() }).optional(),
    surge: z
      .strictObject({
        allowed: z.boolean(),
        max_rps: z.number().positive().optional(),
        max_duration: duration.optional(),
        max_requests: z.number().int().positive().optional(),
      })
      .optional(),
  })
  .refine((t) => (t.lab === undefined) !== (t.url === undefined), {
    message: 'a target needs exactly one of `lab` or `url`: `lab` names an embedded edge, `url` an endpoint to test',
  })
  .refine((t) => t.faults === undefined || t.lab !== undefined, {
    message: '`faults` are switches of a lab edge: they need `lab:`',
    path: ['faults'],
  });

const targetName = z.string().regex(/^[A-Za-z0-9_.-]+$/, { message: 'expected a name of letters, digits, _ . and -' });

export const targetsFileSchema = z.strictObject({
  default: z.string().optional(),
  targets: z.record(targetName, targetSchema),
});

export type TargetConfig = z.infer<typeof targetSchema>;
export type TargetsFile = z.infer<typeof targetsFileSchema>;
export type RouteConfig = z.infer<typeof routeSchema>;
