/**
 * A real AT Protocol PDS (@atproto/pds) and PLC directory (@did-plc/server, in memory) on
 * loopback, set up as @atproto/dev-env's TestPds and TestPlc do. Run as a child process by
 * the tests (tests/support/real-pds.ts): it prints one line, `CRIER_PDS_READY {json}` with
 * both URLs, and stops on SIGTERM, SIGINT or when its standard input closes.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The servers are CommonJS; their own dependencies resolve from this folder's node_modules.
const require = createRequire(import.meta.url);
const pds = require('@atproto/pds');
const plc = require('@did-plc/server');
const { Secp256k1Keypair } = require('@atproto/crypto');

/** A port nothing listens on: the PDS must know its own before it starts (its public URL). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const hex = (bytes) => Buffer.from(bytes).toString('hex');

async function start() {
  const plcPort = await freePort();
  const plcServer = plc.PlcServer.create({ db: plc.Database.mock(), port: plcPort });
  await plcServer.start();
  const plcUrl = `http://localhost:${plcPort}`;

  const dataDirectory = await mkdtemp(join(tmpdir(), 'crier-pds-'));
  const rotationKey = await Secp256k1Keypair.create({ exportable: true });
  const recoveryKey = await Secp256k1Keypair.create();
  const port = await freePort();
  const env = {
    devMode: true,
    port,
    dataDirectory,
    blobstoreDiskLocation: join(dataDirectory, 'blobs'),
    didPlcUrl: plcUrl,
    recoveryDidKey: recoveryKey.did(),
    plcRotationKeyK256PrivateKeyHex: hex(await rotationKey.export()),
    adminPassword: randomBytes(16).toString('hex'),
    jwtSecret: randomBytes(32).toString('hex'),
    serviceHandleDomains: ['.test'],
    inviteRequired: false,
    disableSsrfProtection: true,
    // No AppView: what the PDS would ask one (a handle outside `.test`) fails to resolve.
    bskyAppViewUrl: 'https://appview.invalid',
    bskyAppViewDid: 'did:example:invalid',
    bskyAppViewCdnUrlPattern: 'http://cdn.appview.invalid/%s/%s/%s',
    modServiceUrl: 'https://moderator.invalid',
    modServiceDid: 'did:example:invalid',
  };
  const server = await pds.PDS.create(pds.envToCfg(env), pds.envToSecrets(env));
  await server.start();
  const url = `http://localhost:${port}`;

  let stopping;
  const stop = () => {
    stopping ??= (async () => {
      await server.destroy().catch(() => {});
      await plcServer.destroy().catch(() => {});
      await rm(dataDirectory, { recursive: true, force: true });
      process.exit(0);
    })();
    return stopping;
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // The parent went away (or closed the pipe): nothing is left to serve.
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();

  process.stdout.write(`CRIER_PDS_READY ${JSON.stringify({ url, plcUrl })}\n`);
}

start().catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
