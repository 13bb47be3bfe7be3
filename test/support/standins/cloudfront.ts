// A stand-in for the CloudFront API: CreateInvalidation and GetInvalidation only, each request checked
// as AWS documents it (route, SigV4 signature, InvalidationBatch XML) and recorded for the test to read.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { verifySigV4, type SigV4Credentials } from './sigv4.js';

const NS = 'http://cloudfront.amazonaws.com/doc/2020-05-31/';
const CREATE = /^\/2020-05-31\/distribution\/([^/?]+)\/invalidation$/;
const GET = /^\/2020-05-31\/distribution\/([^/?]+)\/invalidation\/([^/?]+)$/;
/** CloudFront's limit on paths in one batch (files; wildcards have a lower one of their own) */
const MAX_PATHS = 3000;

export type CloudFrontOperation = 'CreateInvalidation' | 'GetInvalidation';

/** An error answer as CloudFront gives it: an HTTP status and an ErrorResponse with Type, Code and Message. */
export interface CloudFrontFault {
  status: number;
  code: string;
  message: string;
  type?: 'Sender' | 'Receiver';
}

/** CloudFront's own answers (codes and messages from its API reference) for the tests to script. */
export const cloudfrontFaults = {
  throttling: { status: 400, code: 'Throttling', message: 'Rate exceeded' },
  throttling429: { status: 429, code: 'ThrottlingException', message: 'Rate exceeded' },
  tooManyInProgress: {
    status: 400,
    code: 'TooManyInvalidationsInProgress',
    message:
      'You have exceeded the maximum number of allowable InProgress invalidation batch requests, ' +
      'or invalidation objects.',
  },
  accessDenied: {
    status: 403,
    code: 'AccessDenied',
    message:
      'User: arn:aws:iam::123456789012:user/edgecheck is not authorized to perform: ' + 'cloudfront:CreateInvalidation',
  },
} satisfies Record<string, CloudFrontFault>;

export interface InvalidationBatch {
  callerReference: string;
  quantity: number;
  paths: string[];
}

/** One request as it arrived, what the stand-in found wrong with it, and how it answered. */
export interface RecordedCall {
  operation?: CloudFrontOperation;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** performance.now() on arrival */
  at: number;
  /** the key id of the Credential scope, when the Authorization header could be read */
  accessKeyId?: string;
  signatureValid: boolean;
  batch?: InvalidationBatch;
  /** what AWS would refuse in the request, in AWS's words; empty for a request as documented */
  problems: string[];
  status: number;
  /** the error code answered, if any */
  code?: string;
  /** the body answered */
  answer: string;
  /** a CallerReference already used with the same paths: CloudFront answers with that invalidation */
  replayed?: boolean;
}

export interface StoredInvalidation {
  id: string;
  distribution: string;
  batch: InvalidationBatch;
  createTime: Date;
  gets: number;
}

export interface CloudFrontStandInOptions {
  credentials: SigV4Credentials;
  distributions: string[];
  /** GetInvalidation answers InProgress this many times for an invalidation, then Completed (default 1) */
  completeAfter?: number;
}

interface Answer {
  status: number;
  body: string;
  code?: string;
  headers?: Record<string, string>;
}

export class CloudFrontStandIn {
  readonly calls: RecordedCall[] = [];
  readonly invalidations = new Map<string, StoredInvalidation>();
  private readonly scripted: Record<CloudFrontOperation, CloudFrontFault[]> = {
    CreateInvalidation: [],
    GetInvalidation: [],
  };
  private readonly parser = new XMLParser({
    ignoreAttributes: false,
    parseTagValue: false,
    trimValues: false,
    isArray: (name) => name === 'Path',
  });

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly opts: CloudFrontStandInOptions,
  ) {}

  static async start(opts: CloudFrontStandInOptions): Promise<CloudFrontStandIn> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const standIn = new CloudFrontStandIn(server, `http://127.0.0.1:${port}`, opts);
    server.on('request', (req, res) => {
      void standIn.handle(req).then((answer) => {
        res.writeHead(answer.status, {
          'content-type': 'text/xml',
          'x-amzn-requestid': randomUUID(),
          ...answer.headers,
        });
        res.end(answer.body);
      });
    });
    return standIn;
  }

  /** The next calls of this operation are answered with these faults, in order, once each request is checked. */
  failNext(operation: CloudFrontOperation, ...faults: CloudFrontFault[]): void {
    this.scripted[operation].push(...faults);
  }

  callsOf(operation: CloudFrontOperation): RecordedCall[] {
    return this.calls.filter((c) => c.operation === operation);
  }

  /** Every problem found in every request, each with the request it was found in. */
  problems(): string[] {
    return this.calls.flatMap((c) => c.problems.map((p) => `${c.method} ${c.url}: ${p}`));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage): Promise<Answer> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const call: RecordedCall = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: body.toString('utf8'),
      at: performance.now(),
      signatureValid: false,
      problems: [],
      status: 0,
      answer: '',
    };
    this.calls.push(call);
    const answer = this.answer(call, body);
    call.status = answer.status;
    call.code = answer.code;
    call.answer = answer.body;
    return answer;
  }

  private answer(call: RecordedCall, body: Buffer): Answer {
    const create = call.method === 'POST' ? CREATE.exec(call.url) : null;
    const get = call.method === 'GET' ? GET.exec(call.url) : null;
    if (!create && !get) {
      const message = `No operation is ${call.method} ${call.url}`;
      return this.refuse(call, { status: 400, code: 'InvalidAction', message });
    }
    const operation = create ? 'CreateInvalidation' : 'GetInvalidation';
    call.operation = operation;
    const verdict = verifySigV4(
      { method: call.method, url: call.url, headers: call.headers, body },
      { region: 'us-east-1', service: 'cloudfront', credentials: this.opts.credentials },
    );
    call.accessKeyId = verdict.accessKeyId;
    call.signatureValid = verdict.ok;
    if (!verdict.ok) return this.refuse(call, verdict);
    if (create) {
      const parsed = this.parseBatch(body.toString('utf8'));
      if ('fault' in parsed) return this.refuse(call, parsed.fault);
      call.batch = parsed.batch;
    }
    const fault = this.scripted[operation].shift();
    if (fault) return errorAnswer(fault);
    const distribution = decodeURIComponent((create ?? get)![1]!);
    if (!this.opts.distributions.includes(distribution)) {
      const message = 'The specified distribution does not exist.';
      return errorAnswer({ status: 404, code: 'NoSuchDistribution', message });
    }
    return create ? this.createInvalidation(call, distribution) : this.getInvalidation(distribution, get![2]!);
  }

  /** A request AWS would not take as it is: recorded as a problem, answered as AWS answers it. */
  private refuse(call: RecordedCall, fault: CloudFrontFault): Answer {
    call.problems.push(`${fault.code}: ${fault.message.split('\n')[0]}`);
    return errorAnswer(fault);
  }

  private createInvalidation(call: RecordedCall, distribution: string): Answer {
    const batch = call.batch!;
    const earlier = [...this.invalidations.values()].find(
      (i) => i.distribution === distribution && i.batch.callerReference === batch.callerReference,
    );
    if (earlier && JSON.stringify(earlier.batch.paths) !== JSON.stringify(batch.paths)) {
      return errorAnswer({
        status: 409,
        code: 'InvalidationBatchAlreadyExists',
        message: 'The CallerReference you attempted to use has been used with a different invalidation batch.',
      });
    }
    call.replayed = earlier !== undefined;
    const stored = earlier ?? {
      id: `I${randomBytes(16).toString('hex').toUpperCase().slice(0, 13)}`,
      distribution,
      batch,
      createTime: new Date(),
      gets: 0,
    };
    this.invalidations.set(stored.id, stored);
    const location = `${this.url}/2020-05-31/distribution/${distribution}/invalidation/${stored.id}`;
    return { status: 201, headers: { location }, body: invalidationXml(stored, 'InProgress') };
  }

  private getInvalidation(distribution: string, id: string): Answer {
    const stored = this.invalidations.get(decodeURIComponent(id));
    if (!stored || stored.distribution !== distribution) {
      const message = 'The specified invalidation does not exist.';
      return errorAnswer({ status: 404, code: 'NoSuchInvalidation', message });
    }
    stored.gets++;
    const done = stored.gets > (this.opts.completeAfter ?? 1);
    return { status: 200, body: invalidationXml(stored, done ? 'Completed' : 'InProgress') };
  }

  /** The InvalidationBatch of a CreateInvalidation body, or the error CloudFront answers for it. */
  private parseBatch(xml: string): { batch: InvalidationBatch } | { fault: CloudFrontFault } {
    const invalid = (message: string) => ({ fault: { status: 400, code: 'InvalidArgument', message } });
    if (xml.trim() === '') {
      return { fault: { status: 400, code: 'MissingBody', message: 'This operation requires a body.' } };
    }
    if (XMLValidator.validate(xml) !== true) return invalid('The XML document is not well-formed.');
    const doc = this.parser.parse(xml) as { InvalidationBatch?: Record<string, unknown> };
    const root = doc.InvalidationBatch;
    if (root === undefined || typeof root !== 'object') return invalid('The root element must be InvalidationBatch.');
    if (root['@_xmlns'] !== NS) return invalid(`InvalidationBatch must be in the namespace ${NS}.`);
    const callerReference = root['CallerReference'];
    if (typeof callerReference !== 'string' || callerReference === '') return invalid('CallerReference is required.');
    const pathsNode = root['Paths'] as { Quantity?: unknown; Items?: { Path?: unknown[] } | '' } | undefined;
    const quantity = Number(pathsNode?.Quantity);
    if (pathsNode === undefined || !Number.isInteger(quantity) || quantity < 0) {
      return invalid('Paths with an integer Quantity is required.');
    }
    const items = (typeof pathsNode.Items === 'object' ? (pathsNode.Items.Path ?? []) : []).map(String);
    if (items.length !== quantity) {
      const message = "The value of Quantity and the size of Items don't match.";
      return { fault: { status: 400, code: 'InconsistentQuantities', message } };
    }
    if (items.length > MAX_PATHS) {
      return { fault: { status: 413, code: 'BatchTooLarge', message: 'Invalidation batch specified is too large.' } };
    }
    const bad = items.find((p) => pathProblem(p) !== undefined);
    if (bad !== undefined) {
      return invalid(`Your request contains one or more invalid invalidation paths. (${pathProblem(bad)})`);
    }
    return { batch: { callerReference, quantity, paths: items } };
  }
}

/**
 * What CloudFront documents of an invalidation path: it starts with /, its only * is the last character,
 * and non-ASCII and unsafe characters are URL-encoded (a % starts an escape).
 */
export function pathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return `${JSON.stringify(path)} does not start with /`;
  const star = path.indexOf('*');
  if (star >= 0 && star !== path.length - 1) return `${JSON.stringify(path)} has a * before its end`;
  const raw = /[\u0000-\u0020\u007f-\uffff"<>#{}|\\^[\]`]|%(?![0-9A-Fa-f]{2})/.exec(path);
  if (raw) return `${JSON.stringify(path)} holds ${JSON.stringify(raw[0])} unencoded`;
  return undefined;
}

function errorAnswer(fault: CloudFrontFault): Answer {
  const body =
    `<?xml version="1.0"?><ErrorResponse xmlns="${NS}"><Error><Type>${fault.type ?? 'Sender'}</Type>` +
    `<Code>${fault.code}</Code><Message>${xmlText(fault.message)}</Message></Error>` +
    `<RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
  return { status: fault.status, code: fault.code, body };
}

function invalidationXml(inv: StoredInvalidation, status: 'InProgress' | 'Completed'): string {
  const paths = inv.batch.paths.map((p) => `<Path>${xmlText(p)}</Path>`).join('');
  return (
    `<?xml version="1.0"?><Invalidation xmlns="${NS}"><Id>${inv.id}</Id><Status>${status}</Status>` +
    `<CreateTime>${inv.createTime.toISOString()}</CreateTime><InvalidationBatch>` +
    `<Paths><Quantity>${inv.batch.quantity}</Quantity><Items>${paths}</Items></Paths>` +
    `<CallerReference>${xmlText(inv.batch.callerReference)}</CallerReference></InvalidationBatch></Invalidation>`
  );
}

function xmlText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
