// Fault switches that break the reference edge's signed URLs and signed cookies
// (signedUrls.ts): each lets through a request CloudFront refuses.

export const SIGNING_FAULTS = {
  'signed-accepts-expired': 'accepts a signature past its policy DateLessThan (expired)',
  'signed-ignores-not-before': 'accepts a signature before its custom policy DateGreaterThan',
  'signed-ignores-ip': 'accepts a signature from a viewer outside its custom policy IpAddress block',
  'signed-skips-signature': 'never verifies the signature: any Signature passes under a trusted key id',
  'signed-cache-leak': 'serves a cached copy of a signed object to any request, signed or not, unverified',
} as const;
