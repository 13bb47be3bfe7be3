// Where the staging twin sends its viewers' requests: the probe origin
// (`edgecheck origin`) as CloudFront reaches it — its HTTP listener, the
// secondary an origin group fails over to, and its TLS fault listeners.
export interface OriginTlsListener {
  /** the certificate fault the listener presents (valid, wrong-name, expired, ...) */
  fault: string;
  port: number;
  /** the route name suites/origin-tls.yaml uses for it (origin-valid, ...) */
  route: string;
  /** the path prefix the twin's behaviour for it matches (/origin-tls/valid/) */
  path: string;
}

export interface ProbeOrigin {
  /** a DNS name: CloudFront takes no IP address as an origin */
  host: string;
  httpPort: number;
  /** the secondary listener, for the members of an origin group after the first */
  secondaryPort: number;
  tls: OriginTlsListener[];
  /** the control channel's URL, which the harness reaches directly, never through the CDN */
  control: string;
}
