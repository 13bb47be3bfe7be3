// Gives an autocannon connection Node's own HTTP response parser (llhttp,
// native) in place of http-parser-js, the pure-JavaScript parser autocannon 9
// ships with. On a loopback edge the parser is where a bee spends most of its
// time; llhttp parses the same bytes at a fraction of the cost, and the bee
// never turns a response body into a string (autocannon would, for every
// response, only to compare it when `expectBody` is set, which a surge never
// sets).
import { createRequire } from 'node:module';

/** The parts of node:_http_common's HTTPParser (llhttp) used here. */
interface Llhttp {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(chunk: Buffer): number | Error;
  [slot: number]: unknown;
}
interface LlhttpClass {
  new (): Llhttp;
  RESPONSE: number;
  kOnHeaders: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
}

/** What autocannon's Client reads from a response head (http-parser-js in 0.12 compatibility mode). */
export interface ResponseHead {
  versionMajor: number;
  versionMinor: number;
  headers: string[];
  statusCode: number;
  statusMessage: string;
  upgrade: boolean;
  shouldKeepAlive: boolean;
}

/** http-parser-js's callback slots, which autocannon's Client fills in. */
const ON_HEADERS = 1;
const ON_HEADERS_COMPLETE = 2;
const ON_BODY = 3;
const ON_MESSAGE_COMPLETE = 4;

const Native = loadLlhttp();

/**
 * A response parser with http-parser-js's interface (callbacks in numbered
 * slots, `execute(chunk)`) over llhttp. A malformed response is handed to
 * `onError` (the bee ends that connection, which reconnects) and the parser
 * starts afresh; `reset()` starts it afresh for a new connection.
 */
export class NativeResponseParser {
  [ON_HEADERS]: (trailers: string[]) => void = () => {};
  [ON_HEADERS_COMPLETE]: (head: ResponseHead) => void = () => {};
  [ON_BODY]: (chunk: Buffer, start: number, length: number) => void = () => {};
  [ON_MESSAGE_COMPLETE]: () => void = () => {};

  private readonly parser: Llhttp;
  /** header lines llhttp handed over before the head was complete (a head split over many packets) */
  private early: string[] = [];
  private inBody = false;

  constructor(private readonly onError: (err: Error) => void) {
    if (!Native) throw new Error('this Node has no node:_http_common HTTPParser');
    this.parser = new Native();
    this.parser[Native.kOnHeaders] = (headers: string[]) => {
      if (this.inBody) this[ON_HEADERS](headers);
      else this.early.push(...headers);
    };
    this.parser[Native.kOnHeadersComplete] = (
      versionMajor: number,
      versionMinor: number,
      headers: string[] | undefined,
      _method: unknown,
      _url: unknown,
      statusCode: number,
      statusMessage: string,
      upgrade: boolean,
      shouldKeepAlive: boolean,
    ) => {
      const all = headers ? (this.early.length ? [...this.early, ...headers] : headers) : this.early;
      this.early = [];
      this.inBody = true;
      this[ON_HEADERS_COMPLETE]({
        versionMajor,
        versionMinor,
        headers: all,
        statusCode,
        statusMessage,
        upgrade,
        shouldKeepAlive,
      });
      return 0;
    };
    // bodies are counted in bytes by autocannon's socket handler; nothing reads them
    this.parser[Native.kOnBody] = () => {};
    this.parser[Native.kOnMessageComplete] = () => {
      this.inBody = false;
      this[ON_MESSAGE_COMPLETE]();
    };
    this.reset();
  }

  execute(chunk: Buffer): void {
    const parsed = this.parser.execute(chunk);
    if (parsed instanceof Error) {
      this.reset();
      this.onError(parsed);
    }
  }

  reset(): void {
    this.early = [];
    this.inBody = false;
    this.parser.initialize(Native!.RESPONSE, {}, 0, 0);
  }
}

/** The parts of autocannon 9's Client that the parser swap touches. */
interface ParsingClient {
  parser: unknown;
  conn?: { destroy(err?: Error): void };
  _connect(): void;
}

/**
 * Puts llhttp under an autocannon connection; call from autocannon's
 * `setupClient`, which runs before the Client fills in its parser callbacks
 * and opens its first connection. Returns false where this Node has no llhttp.
 */
export function useNativeParser(client: unknown): boolean {
  const c = client as ParsingClient;
  if (!Native || typeof c._connect !== 'function' || !('parser' in c)) return false;
  const parser = new NativeResponseParser((err) => c.conn?.destroy(err));
  c.parser = parser;
  const connect = c._connect.bind(c);
  // autocannon reuses one parser across reconnects; a response cut off mid-way must not confuse the next connection's
  c._connect = () => {
    parser.reset();
    connect();
  };
  return true;
}

function loadLlhttp(): LlhttpClass | undefined {
  try {
    const common = createRequire(import.meta.url)('_http_common') as { HTTPParser?: LlhttpClass };
    const Parser = common.HTTPParser;
    return typeof Parser === 'function' && typeof Parser.prototype.execute === 'function' ? Parser : undefined;
  } catch {
    return undefined;
  }
}
