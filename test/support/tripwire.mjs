// Loaded with `node --import` before a command under test: a DNS lookup, an
// outgoing connection, a listening socket or a child process ends the process
// at once with exit 99 and says which, so a test can prove a command touched none.
import childProcess from 'node:child_process';
import dgram from 'node:dgram';
import dns from 'node:dns';
import dnsPromises from 'node:dns/promises';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';

export const TRIPPED = 99;

const trip = (what) => () => {
  process.stderr.write(`tripwire: ${what}\n`);
  process.exit(TRIPPED);
};

for (const name of ['lookup', 'resolve', 'resolve4', 'resolve6', 'resolveAny']) {
  dns[name] = trip(`dns.${name}`);
  dnsPromises[name] = trip(`dns.promises.${name}`);
  dns.Resolver.prototype[name] = trip(`dns.Resolver.${name}`);
  dnsPromises.Resolver.prototype[name] = trip(`dns.promises.Resolver.${name}`);
}
net.Socket.prototype.connect = trip('net.Socket.connect');
net.Server.prototype.listen = trip('net.Server.listen');
dgram.Socket.prototype.bind = trip('dgram.Socket.bind');
dgram.Socket.prototype.send = trip('dgram.Socket.send');
for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) {
  childProcess[name] = trip(`child_process.${name}`);
}
syncBuiltinESMExports();
