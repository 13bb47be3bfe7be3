// targets.yaml `redirects:`: what the target promises about redirects, which
// suites/redirects.yaml holds it to. A lab declares the same block for itself.
import { isIP } from 'node:net';
import { z } from 'zod';

/** An address or a CIDR block, as a viewer-location rule names its viewers. */
const addressOrBlock = z.string().refine(
  (text) => {
    const [address = '', bits, ...rest] = text.split('/');
    const family = isIP(address);
    if (family === 0 || rest.length > 0) return false;
    return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
  },
  { message: 'expected an IP address or a CIDR block such as 127.0.0.9 or 127.0.0.8/29' },
);

const viewerRule = z
  .strictObject({
    /** viewers from this address or block are redirected */
    from: addressOrBlock.optional(),
    /** viewers from this country (ISO 3166-1 alpha-2) are redirected; with `from`, an address the edge places there */
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, { message: 'expected a two-letter country code in capitals, such as DE' })
      .optional(),
    /** where the edge itself sends them (the Location starts with it); without it, the rule only says where a
     * country's viewers come from, for an origin that redirects by the country header */
    to: z.url({ protocol: /^https?$/ }).optional(),
  })
  .refine((r) => r.from !== undefined || r.country !== undefined, {
    message: 'a viewer-location rule needs from (an address) or country',
  });

export const redirectsSchema = z.strictObject({
  /** the status a plain-HTTP request gets, sent to HTTPS on the same host with path and query kept */
  https: z.literal([301, 302, 307, 308], { message: 'expected 301, 302, 307 or 308' }).optional(),
  /** the hostname every other hostname of the target redirects to */
  canonical_host: z.string().min(1).optional(),
  /** redirects that depend on where the viewer is */
  viewer_location: z.array(viewerRule).min(1).optional(),
  /** the request header the edge tells the origin the viewer's country in (default CloudFront-Viewer-Country) */
  country_header: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/, { message: 'expected a header name' })
    .optional(),
});
export type RedirectPromises = z.infer<typeof redirectsSchema>;
export type ViewerLocationRule = RedirectPromises['viewer_location'] extends (infer R)[] | undefined ? R : never;
