// A stand-in for CloudFront's read API — GetDistributionConfig, GetCachePolicy,
// GetOriginRequestPolicy, GetResponseHeadersPolicy and ListKeyGroups — serving
// a fixture's configuration, each request's SigV4 signature checked as AWS
// documents it (./sigv4.ts). The XML bodies are the SDK's own serialisation of
// the configs (the bodies of UpdateDistribution, CreateCachePolicy, ...), which
// the Get operations answer with the same elements inside their documented wrappers.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CloudFrontClient,
  CreateCachePolicyCommand,
  CreateKeyGroupCommand,
  CreateOriginRequestPolicyCommand,
  CreateResponseHeadersPolicyCommand,
  UpdateDistributionCommand,
} from '@aws-sdk/client-cloudfront';
import type { DistributionFile } from '../../../import/cloudfront/distributionFile.js';
import { verifySigV4, type SigV4Credentials } from './sigv4.js';

const API = '/2020-05-31';
const NS = 'http://cloudfront.amazonaws.com/doc/2020-05-31/';
const MODIFIED = '2024-05-01T12:00:00.000Z';

export type ReadOperation =
  'GetDistributionConfig' | 'GetCachePolicy' | 'GetOriginRequestPolicy' | 'GetResponseHeadersPolicy' | 'ListKeyGroups';

export interface ReadCall {
  operation?: ReadOperation;
  method: string;
  url: string;
  signatureValid: boolean;
  status: number;
}

interface Answer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

export class CloudFrontConfigStandIn {
  readonly calls: ReadCall[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly xml: Map<string, string>,
  ) {}

  static async start(dist: DistributionFile, credentials: SigV4Credentials): Promise<CloudFrontConfigStandIn> {
    const xml = await serialise(dist);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const standIn = new CloudFrontConfigStandIn(server, `http://127.0.0.1:${port}`, xml);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const call: ReadCall = { method: req.method ?? '', url: req.url ?? '', signatureValid: false, status: 0 };
        standIn.calls.push(call);
        const verdict = verifySigV4(
          { method: call.method, url: call.url, headers: req.headers, body: Buffer.concat(chunks) },
          { region: 'us-east-1', service: 'cloudfront', credentials },
        );
        call.signatureValid = verdict.ok;
        const answer = verdict.ok ? standIn.answer(call) : errorXml(verdict.status, verdict.code, verdict.message);
        call.status = answer.status;
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

  callsOf(operation: ReadOperation): ReadCall[] {
    return this.calls.filter((c) => c.operation === operation);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private answer(call: ReadCall): Answer {
    const path = new URL(call.url, 'http://x').pathname;
    if (call.method !== 'GET') return errorXml(405, 'MethodNotAllowed', `${call.method} is not a read`);
    const routes: Array<[RegExp, ReadOperation, string, string]> = [
      [/^\/distribution\/([^/]+)\/config$/, 'GetDistributionConfig', 'distribution', 'NoSuchDistribution'],
      [/^\/cache-policy\/([^/]+)$/, 'GetCachePolicy', 'cache-policy', 'NoSuchCachePolicy'],
      [
        /^\/origin-request-policy\/([^/]+)$/,
        'GetOriginRequestPolicy',
        'origin-request-policy',
        'NoSuchOriginRequestPolicy',
      ],
      [
        /^\/response-headers-policy\/([^/]+)$/,
        'GetResponseHeadersPolicy',
        'response-headers-policy',
        'NoSuchResponseHeadersPolicy',
      ],
      [/^\/key-group$/, 'ListKeyGroups', 'key-group', ''],
    ];
    for (const [pattern, operation, kind, missing] of routes) {
      const m = pattern.exec(path.slice(API.length));
      if (!path.startsWith(API) || !m) continue;
      call.operation = operation;
      const body = this.xml.get(m[1] === undefined ? kind : `${kind}/${decodeURIComponent(m[1])}`);
      if (body === undefined) return errorXml(404, missing, `The specified ${kind} does not exist.`);
      const etag: Record<string, string> = operation === 'ListKeyGroups' ? {} : { etag: 'E2QWRUHAPOMQZL' };
      return { status: 200, body, headers: etag };
    }
    return errorXml(404, 'NotFound', `no CloudFront operation at ${path}`);
  }
}

/** Each config the fixture holds, as the Get operation's XML body, by `kind/id` (ListKeyGroups: `key-group`). */
async function serialise(dist: DistributionFile): Promise<Map<string, string>> {
  const xml = new Map<string, string>();
  const id = dist.Id ?? 'E0STANDIN';
  xml.set(
    `distribution/${id}`,
    await bodyOf((c) =>
      c.send(new UpdateDistributionCommand({ Id: id, IfMatch: 'x', DistributionConfig: dist.DistributionConfig })),
    ),
  );
  const wrap = (element: string, policyId: string, inner: string) =>
    `<?xml version="1.0" encoding="UTF-8"?><${element} xmlns="${NS}"><Id>${policyId}</Id>` +
    `<LastModifiedTime>${MODIFIED}</LastModifiedTime>${inner}</${element}>`;
  for (const [policyId, config] of Object.entries(dist.CachePolicies ?? {})) {
    const inner = element(await bodyOf((c) => c.send(new CreateCachePolicyCommand({ CachePolicyConfig: config }))));
    xml.set(`cache-policy/${policyId}`, wrap('CachePolicy', policyId, inner));
  }
  for (const [policyId, config] of Object.entries(dist.OriginRequestPolicies ?? {})) {
    const inner = element(
      await bodyOf((c) => c.send(new CreateOriginRequestPolicyCommand({ OriginRequestPolicyConfig: config }))),
    );
    xml.set(`origin-request-policy/${policyId}`, wrap('OriginRequestPolicy', policyId, inner));
  }
  for (const [policyId, config] of Object.entries(dist.ResponseHeadersPolicies ?? {})) {
    const command = new CreateResponseHeadersPolicyCommand({ ResponseHeadersPolicyConfig: config });
    xml.set(
      `response-headers-policy/${policyId}`,
      wrap('ResponseHeadersPolicy', policyId, element(await bodyOf((c) => c.send(command)))),
    );
  }
  const groups = await Promise.all(
    Object.entries(dist.KeyGroups ?? {}).map(async ([groupId, config]) => {
      const inner = element(await bodyOf((c) => c.send(new CreateKeyGroupCommand({ KeyGroupConfig: config }))));
      const group = `<Id>${groupId}</Id><LastModifiedTime>${MODIFIED}</LastModifiedTime>${inner}`;
      return `<KeyGroupSummary><KeyGroup>${group}</KeyGroup></KeyGroupSummary>`;
    }),
  );
  xml.set(
    'key-group',
    `<?xml version="1.0" encoding="UTF-8"?><KeyGroupList xmlns="${NS}"><MaxItems>100</MaxItems>` +
      `<Quantity>${groups.length}</Quantity>${groups.length ? `<Items>${groups.join('')}</Items>` : ''}</KeyGroupList>`,
  );
  return xml;
}

/** The XML body the SDK sends for a command, caught before it leaves. */
async function bodyOf(send: (client: CloudFrontClient) => Promise<unknown>): Promise<string> {
  let body = '';
  const client = new CloudFrontClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDSERIALISE', secretAccessKey: 'serialise' },
    requestHandler: {
      handle: async (request: { body?: unknown }) => {
        body = String(request.body);
        throw new Error('serialised');
      },
    },
  });
  await send(client).catch(() => undefined);
  client.destroy();
  return body;
}

/** `<?xml ...?><Name xmlns="...">...</Name>` -> `<Name>...</Name>`, to nest inside a wrapper */
function element(body: string): string {
  return body.replace(/^<\?xml[^>]*\?>/, '').replace(/^<(\w+) xmlns="[^"]*">/, '<$1>');
}

function errorXml(status: number, code: string, message: string): Answer {
  return {
    status,
    body:
      `<?xml version="1.0"?><ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code>` +
      `<Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  };
}
