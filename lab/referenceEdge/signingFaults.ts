// Fault switches that break the reference edge's signed URLs and signed cookies
// (signedUrls.ts): each lets through a request CloudFront refuses.

export const SIGNING_FAULTS = {
  'signed-accepts-expired': 'accepts a signature past its policy DateLessThan (expired)',
  'signed-ignores-not-before': 'accepts a signature before its custom policy DateGreaterThan',
  'signed-ignores-ip': 'accepts a signature from a viewer outside its custom policy IpAddress block',
  'signed-skips-signature': 'never verifies the signature: any Signature passes under a trusted key id',
  'signed-cache-leak': 'serves a cached copy of a signed object to any request, signed or not, unverified',
  'signed-route-open': 'restricts nothing: a request without a key id (unsigned) is served',
  'signed-any-key': 'takes a key id it does not hold as good, unverified, instead of refusing it (Unknown Key)',
  'signed-trusts-other-key': "trusts another public key under the lab's key id: every valid signature is refused",
  'signed-params-forwarded': 'forwards the signing parameters to the origin (and keeps them in the cache key)',
} as const;
