// The public contract of targets.yaml (README.md "targets.yaml"), as a zod schema.
// Which labs and fault switches exist is the lab catalogue's to say: the
// schema is made for the catalogue the cli hands in.
import { isIP } from 'node:net';
import { z } from 'zod';
import { dialectNames } from '../cacheStatus/index.js';
import { invalidationSchema } from '../invalidation/index.js';
import { signingSchema } from '../signing/index.js';
import type { LabCatalogue } from '../target/lab.js';
import { didYouMean } from './didYouMean.js';
import { redirectsSchema } from './redirectsSchema.js';
import { duration, tlsVersion } from './schemaParts.js';

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

/** An edge a target's requests are pinned to: an address, since the hostname is what gets resolved otherwise. */
const edgeAddress = z
  .string()
  .refine((a) => isIP(a) !== 0, { message: 'expected an IP address such as 127.0.0.1 or ::1' });

/** The schema of one target, for this catalogue of lab edges. */
export function targetSchemaFor(labs: LabCatalogue) {
  const labNames = Object.keys(labs) as [string, ...string[]];
  const faultNames = [...new Set(Object.values(labs).flatMap((lab) => Object.keys(lab.faults)))] as [
    string,
    ...string[],
  ];
  const parentNames = [...new Set(Object.values(labs).flatMap((lab) => lab.parents ?? []))];
  const twoTiers = Object.entries(labs)
    .filter(([, lab]) => lab.parents?.length)
    .map(([name, lab]) => `lab: ${name} (parent: ${lab.parents!.join(' or ')})`);
  const allowedTwoTiers = twoTiers.length ? `a parent tier runs behind ${twoTiers.join(', ')}` : 'no lab has two tiers';
  return z
    .strictObject({
      lab: z.enum(labNames).optional(),
      faults: z.array(z.enum(faultNames)).optional(),
      /** a lab whose program runs as a parent tier (an origin shield) the lab's edges send the shield route to */
      parent: (parentNames.length ? z.enum(parentNames as [string, ...string[]]) : z.never()).optional(),
      url: z.url({ protocol: /^https?$/ }).optional(),
      hostnames: z.array(z.string()).optional(),
      edges: z
        .union([
          z.literal('dns', { error: 'expected dns or a list of edge addresses: [127.0.0.1, 127.0.0.2], say' }),
          z.array(edgeAddress).min(1),
        ])
        .optional(),
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
      invalidation: invalidationSchema.optional(),
      signing: signingSchema.optional(),
      redirects: redirectsSchema.optional(),
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
    })
    .refine((t) => t.parent === undefined || t.lab !== undefined, {
      message: `\`parent\` needs \`lab\`: ${allowedTwoTiers}`,
      path: ['parent'],
    })
    .superRefine((t, ctx) => {
      // which program runs in front of which is each lab's to say: a parent tier needs both to take part
      if (t.parent === undefined || t.lab === undefined || !Object.hasOwn(labs, t.lab)) return;
      const parents = labs[t.lab]!.parents ?? [];
      if (parents.includes(t.parent)) return;
      ctx.addIssue({
        code: 'custom',
        path: ['parent'],
        message: parents.length
          ? `the ${t.lab} lab cannot run in front of a ${t.parent} parent tier: ${allowedTwoTiers}`
          : `the ${t.lab} lab runs as a single tier only: ${allowedTwoTiers}`,
      });
    })
    .superRefine((t, ctx) => {
      // each lab edge has switches of its own: the reference edge's are not nginx's
      const own = t.lab !== undefined && Object.hasOwn(labs, t.lab) ? Object.keys(labs[t.lab]!.faults) : undefined;
      if (!own) return;
      (t.faults ?? []).forEach((fault, i) => {
        if (own.includes(fault)) return;
        const has = own.length ? `it has ${own.join(', ')}` : 'it has none';
        ctx.addIssue({
          code: 'custom',
          path: ['faults', i],
          message: `the ${t.lab} lab has no fault switch '${fault}'${didYouMean(fault, own)}; ${has}`,
        });
      });
    });
}

const targetName = z.string().regex(/^[A-Za-z0-9_.-]+$/, { message: 'expected a name of letters, digits, _ . and -' });

/** The schema of a targets file, for this catalogue of lab edges. */
export function targetsFileSchemaFor(labs: LabCatalogue) {
  return z.strictObject({
    default: z.string().optional(),
    targets: z.record(targetName, targetSchemaFor(labs)),
  });
}

export type TargetConfig = z.infer<ReturnType<typeof targetSchemaFor>>;
export type TargetsFile = z.infer<ReturnType<typeof targetsFileSchemaFor>>;
export type RouteConfig = z.infer<typeof routeSchema>;
