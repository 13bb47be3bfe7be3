// A stand-in DNS resolver on loopback (UDP, RFC 1035 4.1): answers A queries
// for the names it knows with its own addresses, AAAA with no records (NODATA),
// anything else with NXDOMAIN, and counts the questions it was asked — so a
// test can give each "resolver" a different view of one hostname.
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';

const TYPE_A = 1;
const CLASS_IN = 1;
const RCODE_NXDOMAIN = 3;

export interface DnsStandIn {
  /** `127.0.0.1:PORT`, as node's Resolver.setServers takes it */
  server: string;
  /** the names asked, with their type (A, AAAA, ...) */
  questions: Array<{ name: string; type: number }>;
  close(): Promise<void>;
}

/** `zone`: hostname -> the A records it answers. */
export async function startDnsStandIn(zone: Record<string, string[]>): Promise<DnsStandIn> {
  const socket = createSocket('udp4');
  const questions: DnsStandIn['questions'] = [];
  socket.on('message', (query, peer) => {
    const question = readQuestion(query);
    if (!question) return;
    questions.push({ name: question.name, type: question.type });
    const known = zone[question.name.toLowerCase()];
    const answers = known && question.type === TYPE_A ? known : [];
    socket.send(answer(query, question.end, answers, known === undefined), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address() as AddressInfo;
  return {
    server: `127.0.0.1:${port}`,
    questions,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

function readQuestion(query: Buffer): { name: string; type: number; end: number } | undefined {
  if (query.length < 12 || query.readUInt16BE(4) !== 1) return undefined;
  const labels: string[] = [];
  let at = 12;
  while (at < query.length && query[at] !== 0) {
    const length = query[at]!;
    labels.push(query.subarray(at + 1, at + 1 + length).toString('latin1'));
    at += 1 + length;
  }
  // the root label, then QTYPE and QCLASS
  if (at + 5 > query.length) return undefined;
  return { name: labels.join('.'), type: query.readUInt16BE(at + 1), end: at + 5 };
}

/** The query's header and question, then one A record per address, each naming the question by pointer. */
function answer(query: Buffer, questionEnd: number, addresses: string[], nxdomain: boolean): Buffer {
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2); // the id
  const recursionDesired = query[2]! & 0x01;
  header[2] = 0x80 | recursionDesired; // a response, to a standard query
  header[3] = 0x80 | (nxdomain ? RCODE_NXDOMAIN : 0); // recursion available
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(addresses.length, 6);
  const records = addresses.map((address) => {
    const record = Buffer.alloc(16);
    record.writeUInt16BE(0xc00c, 0); // the name at offset 12: the question's
    record.writeUInt16BE(TYPE_A, 2);
    record.writeUInt16BE(CLASS_IN, 4);
    record.writeUInt32BE(60, 6);
    record.writeUInt16BE(4, 10);
    address.split('.').forEach((octet, i) => (record[12 + i] = Number(octet)));
    return record;
  });
  return Buffer.concat([header, query.subarray(12, questionEnd), ...records]);
}
