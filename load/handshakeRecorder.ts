// What a bee counts about its own TLS connections (visitors model, h2), one
// slice at a time beside the request counts: handshake latencies (full and
// resumed apart, HDR), resumption asked and granted, what ALPN negotiated,
// and connections that failed before carrying a request, by kind.
import type { SliceReport } from './beeProtocol.js';
import { encode, newHistogram, recordMs } from './latencyHistogram.js';
import { SliceRecorder } from './sliceRecorder.js';

/** Plain data: crosses the thread boundary inside a SliceReport. */
export interface ConnectionSlice {
  /** HDR histograms of handshake latency, encodeIntoCompressedBase64 */
  full: string;
  resumed: string;
  returning: number;
  offered: number;
  granted: number;
  alpn: Record<string, number>;
  h2Fallbacks: number;
  errors: Record<string, number>;
  skipped: number;
}

export interface Handshake {
  ms: number;
  /** a session from an earlier visit was offered */
  offered: boolean;
  /** the edge resumed it (isSessionReused) */
  resumed: boolean;
  /** what ALPN negotiated; false when the edge chose nothing */
  alpn: string | false;
  /** h2 was offered */
  askedH2: boolean;
}

export type ConnectionErrorKind = 'refused' | 'reset' | 'handshake failure' | 'timeout' | 'other';

export class HandshakeRecorder {
  private readonly full = newHistogram();
  private readonly resumed = newHistogram();
  private returning = 0;
  private offered = 0;
  private granted = 0;
  private alpn: Record<string, number> = {};
  private h2Fallbacks = 0;
  private errors: Record<string, number> = {};
  private skipped = 0;
  private touched = false;

  /** a returning visitor arrived (whether or not the bee has a session to offer yet) */
  onReturning(): void {
    this.touched = true;
    this.returning++;
  }

  onHandshake(h: Handshake): void {
    this.touched = true;
    recordMs(h.resumed ? this.resumed : this.full, h.ms);
    if (h.offered) this.offered++;
    if (h.offered && h.resumed) this.granted++;
    const alpn = h.alpn || 'none';
    this.alpn[alpn] = (this.alpn[alpn] ?? 0) + 1;
    if (h.askedH2 && alpn !== 'h2') this.h2Fallbacks++;
  }

  onConnectionError(kind: ConnectionErrorKind): void {
    this.touched = true;
    this.errors[kind] = (this.errors[kind] ?? 0) + 1;
  }

  onSkipped(): void {
    this.touched = true;
    this.skipped++;
  }

  /** The slice so far (undefined when nothing happened), and a fresh start. */
  cut(): ConnectionSlice | undefined {
    if (!this.touched) return undefined;
    const slice: ConnectionSlice = {
      full: encode(this.full),
      resumed: encode(this.resumed),
      returning: this.returning,
      offered: this.offered,
      granted: this.granted,
      alpn: this.alpn,
      h2Fallbacks: this.h2Fallbacks,
      errors: this.errors,
      skipped: this.skipped,
    };
    this.full.reset();
    this.resumed.reset();
    this.returning = this.offered = this.granted = this.h2Fallbacks = this.skipped = 0;
    this.alpn = {};
    this.errors = {};
    this.touched = false;
    return slice;
  }
}

/** A bee's recorder with its connections' counts carried in every slice it cuts. */
export class ConnectionSliceRecorder extends SliceRecorder {
  readonly connections = new HandshakeRecorder();

  override cut(second: number, phase: number): SliceReport {
    const report = super.cut(second, phase);
    const connections = this.connections.cut();
    return connections ? { ...report, connections } : report;
  }
}

/**
 * What a failed connection's error says, as the record's kinds: the edge
 * refused it, reset it, broke off the TLS handshake, or did not answer in time.
 */
export function connectionErrorKind(err: NodeJS.ErrnoException): ConnectionErrorKind {
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'reset';
  if (code === 'ETIMEDOUT' || code === 'edgecheck-timeout') return 'timeout';
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || /alert|handshake|ssl|tls/i.test(err.message))
    return 'handshake failure';
  return 'other';
}
