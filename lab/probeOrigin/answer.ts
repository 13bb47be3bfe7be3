// How the probe origin answers a request for a programmed object: as written,
// plus 304 for a matching conditional request (README.md "The probe origin").
import type { IncomingHttpHeaders } from 'node:http';
import type { OriginObject } from '../../harness/origin/protocol.js';

export interface OriginAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * @param nth which request of this path this is (1-based), for sequences
 * @param secondary whether it arrived on the secondary (failover) listener
 */
export function answerFor(
  found: OriginObject | undefined,
  method: string,
  reqHeaders: IncomingHttpHeaders,
  nth = 1,
  secondary = false,
): OriginAnswer {
  let object = found;
  if (object?.sequence?.length) object = object.sequence[Math.min(nth, object.sequence.length) - 1];
  if (object && secondary && object.secondary) object = object.secondary;
  // a case for this request's headers (a viewer country the edge added) answers instead
  const chosen = found?.cases?.find((c) => matches(c.when.headers, reqHeaders));
  if (chosen) object = chosen;
  if (!object) {
    return {
      status: 404,
      headers: { 'content-type': 'text/plain', 'cache-control': 'no-store' },
      body: 'edgecheck probe origin: nothing is programmed for this path\n',
    };
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(object.headers ?? {})) headers[k.toLowerCase()] = String(v);
  if (object.version !== undefined) headers['x-edgecheck-version'] = object.version;
  const status = object.status ?? 200;
  const isRead = method === 'GET' || method === 'HEAD';
  if (isRead && status === 200 && notModified(headers, reqHeaders)) {
    return { status: 304, headers, body: '' };
  }
  return { status, headers, body: method === 'HEAD' ? '' : padded(object.body ?? '', object.size) };
}

function matches(want: Record<string, string>, got: IncomingHttpHeaders): boolean {
  return Object.entries(want).every(([name, value]) => {
    const have = got[name.toLowerCase()];
    return Array.isArray(have) ? have.includes(value) : have === value;
  });
}

function padded(body: string, size: number | undefined): string {
  if (size === undefined || body.length >= size) return body;
  const unit = body || 'edgecheck ';
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

/** RFC 9110 13.1: If-None-Match wins over If-Modified-Since; weak comparison. */
function notModified(headers: Record<string, string>, req: IncomingHttpHeaders): boolean {
  const inm = req['if-none-match'];
  const etag = headers['etag'];
  if (inm !== undefined) {
    if (etag === undefined) return false;
    const wanted = inm.split(',').map((t) => weak(t.trim()));
    return wanted.includes('*') || wanted.includes(weak(etag));
  }
  const ims = req['if-modified-since'];
  const lastModified = headers['last-modified'];
  if (ims === undefined || lastModified === undefined) return false;
  const since = Date.parse(ims);
  const modified = Date.parse(lastModified);
  return !Number.isNaN(since) && !Number.isNaN(modified) && modified <= since;
}

function weak(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag;
}
