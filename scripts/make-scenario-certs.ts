// Generates the TLS secrets of the built-in scenarios (run once; the PEMs are committed):
//   npx jiti scripts/make-scenario-certs.ts
// healthy: traffic-system-tls valid until capturedAt + 60 days; tls-expiring: capturedAt + 5 days.
// The loader re-signs these self-signed certificates with the served time shift.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as x509 from '@peculiar/x509';
import { stringify } from 'yaml';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const CAPTURED_AT = Date.parse('2026-01-10T10:00:00Z');
const DAY = 86_400_000;
const HOST = 'traffic-system.example.com';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'resources', 'scenarios');

async function makeTlsSecret(notBefore: Date, notAfter: Date, serial: string) {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial,
    name: `CN=${HOST}`,
    notBefore,
    notAfter,
    keys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: HOST }]),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as unknown as webcrypto.CryptoKey));
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/(.{64})/g, '$1\n').trim()}\n-----END PRIVATE KEY-----\n`;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: {
      name: 'traffic-system-tls',
      namespace: 'traffic-system',
      creationTimestamp: '2025-11-03T14:21:05Z',
      labels: { 'controller.cert-manager.io/fao': 'true' },
      annotations: {
        'cert-manager.io/alt-names': HOST,
        'cert-manager.io/certificate-name': 'traffic-system-tls',
        'cert-manager.io/common-name': HOST,
        'cert-manager.io/issuer-group': 'cert-manager.io',
        'cert-manager.io/issuer-kind': 'Issuer',
        'cert-manager.io/issuer-name': 'traffic-system-selfsigned',
      },
    },
    data: {
      'tls.crt': Buffer.from(`${cert.toString('pem')}\n`).toString('base64'),
      'tls.key': Buffer.from(keyPem).toString('base64'),
    },
  };
}

async function write(scenario: string, secret: object) {
  const file = join(root, scenario, 'resources', 'traffic-system', 'secret-traffic-system-tls.yaml');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, stringify(secret, { lineWidth: 0 }));
  console.log(`wrote ${file}`);
}

await write('healthy', await makeTlsSecret(new Date(CAPTURED_AT - 30 * DAY), new Date(CAPTURED_AT + 60 * DAY), '5a1c03e7'));
await write('tls-expiring', await makeTlsSecret(new Date(CAPTURED_AT - 85 * DAY), new Date(CAPTURED_AT + 5 * DAY), '3b7e9d21'));
