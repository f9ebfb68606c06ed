import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  classifyKeyName,
  createRedactor,
  truncationMarker,
  type RedactionRule,
} from '../../src/main/report/redaction';
import { buildCleanCorpus, buildSecretCorpus } from './redactionCorpus';

const TOKEN = /\[REDACTED:([a-z0-9-]+):([0-9a-f]{6})\]/g;
const CUSTOMER = 'Acme Logistics Oy';

function hexesIn(text: string): Set<string> {
  return new Set([...text.matchAll(TOKEN)].map((m) => m[2]));
}

async function streamThrough(redactor: ReturnType<typeof createRedactor>, file: string, input: Buffer, chunkSize: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < input.length; i += chunkSize) chunks.push(input.subarray(i, i + chunkSize));
  const out: Buffer[] = [];
  await pipeline(Readable.from(chunks, { objectMode: false }), redactor.redactLineStream(file), async (source: AsyncIterable<Buffer>) => {
    for await (const c of source) out.push(c);
  });
  return Buffer.concat(out);
}

describe('planted secrets in every kind of bundle file', () => {
  const corpus = buildSecretCorpus();
  const redactor = createRedactor({ customLiterals: [CUSTOMER] });
  const outputs = Object.fromEntries(Object.entries(corpus.files).map(([f, t]) => [f, redactor.redactFileContent(f, t).text]));

  test.each(Object.keys(corpus.files))('%s keeps none of the planted values', (file) => {
    const leaked = corpus.planted.filter((value) => outputs[file].includes(value));
    expect(leaked).toEqual([]);
    expect(outputs[file]).toMatch(TOKEN);
  });

  test('the same secret gets the same token hex in every file where it appears', () => {
    const dbHex = /[0-9a-f]{6}/.exec(redactor.tokenFor('password', corpus.shared.dbPassword))![0];
    for (const file of [
      'cluster/resources/secrets.yaml',
      'cluster/resources/configmaps.yaml',
      'cluster/resources/deployments.json',
      'cluster/logs/traffic-system/traffic-system-backend-7d9f8c6b5-x2k4p/backend.log',
      'cluster/logs/traffic-system/traffic-system-postgresql-0/postgresql.log',
      'report/report.md',
      'report/report.html',
      'incident.json',
    ]) {
      expect(hexesIn(outputs[file]), file).toContain(dbHex);
    }
    // Secret data is base64: its token is derived from the decoded value, matching the env var.
    const minioHex = /[0-9a-f]{6}/.exec(redactor.tokenFor('minio', corpus.shared.minioRootPassword))![0];
    expect(outputs['cluster/resources/secrets.yaml']).toContain(`[REDACTED:secret-data:${minioHex}]`);
    expect(outputs['cluster/resources/deployments.json']).toContain(`[REDACTED:minio:${minioHex}]`);
    expect(outputs['cluster/logs/traffic-system/traffic-system-minio-5c8d7f9b6-q7w8e/minio.log']).toContain(`[REDACTED:minio:${minioHex}]`);
  });

  test('YAML and JSON outputs still parse, with Secret keys kept and every data value replaced', () => {
    const docs = parseAllDocuments(outputs['cluster/resources/secrets.yaml']) as ReturnType<typeof parseAllDocuments> & unknown[];
    const secrets = (docs as { toJS(): any }[]).map((d) => d.toJS());
    expect(Object.keys(secrets[0].data)).toEqual(['django-secret-key', 'postgres-password', 'aws-secret-access-key']);
    for (const s of secrets) {
      for (const v of Object.values({ ...(s.data ?? {}), ...(s.stringData ?? {}) })) expect(v).toMatch(/^\[REDACTED:secret-data:[0-9a-f]{6}\]$/);
    }
    expect(secrets[0].metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toMatch(/^\[REDACTED:last-applied-configuration:[0-9a-f]{6}\]$/);
    expect(secrets[0].metadata.uid).toBe('6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f');

    const list = JSON.parse(outputs['cluster/resources/deployments.json']);
    const container = list.items[0].spec.template.spec.containers[0];
    const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(env.DJANGO_SECRET_KEY).toMatch(/^\[REDACTED:credential:/);
    expect(env.POSTGRES_PASSWORD).toMatch(/^\[REDACTED:password:/);
    expect(env.MINIO_ROOT_USER).toMatch(/^\[REDACTED:minio:/);
    expect(env.AWS_ACCESS_KEY_ID).toMatch(/^\[REDACTED:aws-access-key-id:/);
    expect(env.AWS_SECRET_ACCESS_KEY).toMatch(/^\[REDACTED:aws-secret-access-key:/);
    expect(env.DJANGO_ALLOWED_HOSTS).toBe('traffic.example.com');
    expect(env.DB_PASSWORD_FROM_SECRET).toEqual({ secretKeyRef: { name: 'traffic-system-secrets', key: 'postgres-password' } });
    expect(list.items[0].spec.template.spec.serviceAccountName).toBe('traffic-system-backend');
    expect(list.items[0].spec.template.spec.automountServiceAccountToken).toBe(true);
    expect(list.items[0].spec.template.spec.volumes[0].secret.secretName).toBe('traffic-system-tls');
    expect(container.image).toContain('@sha256:9b2f6c1e');

    const incident = JSON.parse(outputs['incident.json']);
    expect(incident.evidence.credentials.username).toBe('admin');
  });

  test('kubeconfig credentials are hidden and cluster data is kept', () => {
    const kc = parseAllDocuments(outputs['kubeconfig.yaml']) as unknown as { toJS(): any }[];
    const config = kc[0].toJS();
    const users = Object.fromEntries(config.users.map((u: any) => [u.name, u.user]));
    expect(users['ops-token'].token).toMatch(/^\[REDACTED:kubeconfig:/);
    expect(users['ops-cert']['client-key-data']).toMatch(/^\[REDACTED:kubeconfig:/);
    expect(users['ops-cert']['client-certificate-data']).toMatch(/^\[REDACTED:kubeconfig:/);
    expect(users['ops-basic'].password).toMatch(/^\[REDACTED:kubeconfig:/);
    expect(users['ops-basic'].username).toBe('admin');
    expect(config.clusters[0].cluster.server).toBe('https://10.20.30.40:6443');
    expect(config.clusters[0].cluster['certificate-authority-data']).toMatch(/^LS0t/);
  });

  test('a multi-line PEM block in a log becomes one token, and the lines around it stay', () => {
    const log = outputs['cluster/logs/traffic-system/traffic-system-backend-7d9f8c6b5-x2k4p/backend.log'];
    expect(log).not.toContain('PRIVATE KEY');
    expect(log).toMatch(/DEBUG loaded signing key:\n\[REDACTED:private-key:[0-9a-f]{6}\]\n2026-11-29T10:15:04.006Z INFO ml-client/);
  });

  test('the ledger counts per file and rule, and holds no values', () => {
    const json = redactor.ledger.toJSON();
    const backend = json.files.find((f) => f.file.endsWith('backend.log'))!;
    expect(backend.redaction).toBe('applied');
    expect(backend.counts).toMatchObject({ jwt: 1, 'private-key': 1, 'slack-webhook': 1, 'url-password': 1, custom: 1 });
    expect(backend.total).toBe(Object.values(backend.counts).reduce((a, b) => a + (b ?? 0), 0));
    const kubeconfig = json.files.find((f) => f.file === 'kubeconfig.yaml')!;
    expect(kubeconfig.counts).toEqual({ kubeconfig: 4 });
    expect(json.files.map((f) => f.file)).toEqual([...json.files.map((f) => f.file)].sort());
    const serialized = redactor.ledger.serialize();
    expect(corpus.planted.filter((v) => serialized.includes(v))).toEqual([]);
    expect(JSON.parse(serialized).total).toBeGreaterThan(40);
  });
});

describe('things that are not secrets survive byte for byte', () => {
  const clean = buildCleanCorpus();
  const redactor = createRedactor();
  test.each(Object.keys(clean))('%s', (file) => {
    const result = redactor.redactFileContent(file, clean[file]);
    expect(result.text).toBe(clean[file]);
    expect(result.counts).toEqual({});
  });
  test.each(Object.keys(clean).filter((f) => !f.endsWith('.yaml') && !f.endsWith('.json')))('%s with CRLF line ends', (file) => {
    const crlf = clean[file].replace(/\n/g, '\r\n');
    expect(redactor.redactFileContent(file, crlf).text).toBe(crlf);
  });
  test('objects with secret references, booleans and quantities come back equal', () => {
    const doc = (parseAllDocuments(clean['cluster/resources/pods.yaml']) as unknown as { toJS(): unknown }[])[0].toJS();
    expect(redactor.redactObject(doc).value).toEqual(doc);
    const incident = JSON.parse(clean['incident.json']);
    expect(redactor.redactObject(incident).value).toEqual(incident);
  });
});

describe('YAML and JSON documents', () => {
  const redactor = createRedactor();

  test('comments, order and layout are kept; only the hidden scalars change', () => {
    const source = [
      '# exported by kubectl',
      'apiVersion: v1',
      'kind: ConfigMap   # backend settings',
      'metadata: {name: backend, namespace: traffic-system}',
      'data:',
      "  API_TOKEN: 'tok-3f9a1c2b4d6e'   # rotated monthly",
      '  LOG_LEVEL: INFO',
      '',
    ].join('\n');
    const out = redactor.redactDocument(source).text.split('\n');
    const lines = source.split('\n');
    expect(out).toHaveLength(lines.length);
    out.forEach((line, i) => (i === 5 ? expect(line).toMatch(/^  API_TOKEN: "\[REDACTED:credential:[0-9a-f]{6}\]"   # rotated monthly$/) : expect(line).toBe(lines[i])));
  });

  test('a YAML file that does not parse (a Helm template) falls back to text rules', () => {
    const source = 'apiVersion: v1\nkind: Secret\nstringData:\n  password: {{ .Values.pw }}\n  admin-password: s3cr3t-Adm1n\n\tbad: tab\n';
    const out = redactor.redactFileContent('templates/secret.yaml', source).text;
    expect(out).not.toContain('s3cr3t-Adm1n');
    expect(out).toContain('password: {{ .Values.pw }}');
    expect(out).toMatch(/\n  admin-password: "\[REDACTED:password:[0-9a-f]{6}\]"\n/);
  });

  test('a JSON document stays valid JSON with the same shape', () => {
    const source = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' }, data: { a: 'YWJj', b: '' }, type: 'Opaque' }, null, 2);
    const out = JSON.parse(redactor.redactDocument(source, 'x.json').text);
    expect(Object.keys(out.data)).toEqual(['a', 'b']);
    expect(out.type).toBe('Opaque');
    expect(out.data.a).toBe(redactor.tokenFor('secret-data', 'abc'));
  });
});

describe('key names', () => {
  const cases: [string, RedactionRule | null][] = [
    ['password', 'password'], ['DB_PASSWORD', 'password'], ['PGPASSWORD', 'password'], ['passwd', 'password'],
    ['api_key', 'credential'], ['secretKey', 'credential'], ['AUTH_TOKEN', 'credential'], ['X-Api-Key', 'credential'],
    ['DJANGO_SECRET_KEY', 'credential'], ['credentials', 'credential'], ['id-token', 'credential'], ['client-secret', 'credential'],
    ['apikey', 'credential'], ['aws_secret_access_key', 'aws-secret-access-key'], ['secretAccessKey', 'aws-secret-access-key'],
    ['AWS_ACCESS_KEY_ID', 'aws-access-key-id'], ['MINIO_ROOT_USER', 'minio'], ['MINIO_SECRET_KEY', 'minio'], ['root-password', 'minio'],
    ['rootUser', 'minio'], ['client-key-data', 'kubeconfig'], ['client-certificate-data', 'kubeconfig'],
    ['keyboard', null], ['monkey', null], ['tokenizer', null], ['author', null], ['authority', null], ['secretName', null],
    ['secretKeyRef', null], ['serviceAccountName', null], ['key', null], ['tokenTtlSeconds', null], ['public_key', null],
    ['primaryKey', null], ['certificate-authority-data', null], ['password_file', null], ['username', null],
  ];
  test.each(cases)('%s → %s', (name, rule) => expect(classifyKeyName(name)).toBe(rule));
  test('a bare `key` counts as sensitive only in data maps', () => {
    expect(classifyKeyName('key', { bareKeyIsSensitive: true })).toBe('credential');
  });
});

describe('text rules', () => {
  const redactor = createRedactor();
  const cases: [string, string, RedactionRule][] = [
    ['Authorization: Bearer abcdefghijklmnop1234', 'abcdefghijklmnop1234', 'authorization'],
    ['curl -H "Authorization: Basic dXNlcjpodW50ZXIy"', 'dXNlcjpodW50ZXIy', 'authorization'],
    ['mysql://app:Sup3rS3cret@db:3306/app', 'Sup3rS3cret', 'url-password'],
    ['redis://:R3d1sPw@redis:6379/0', 'R3d1sPw', 'url-password'],
    ['export AWS_SECRET_ACCESS_KEY=wJx7Lq9Tr2Vb5Nm8Kp3Zs6Hd1Fg4Yc0Ae7Uo9IiQ', 'wJx7Lq9Tr2Vb5Nm8Kp3Zs6Hd1Fg4Yc0Ae7Uo9IiQ', 'aws-secret-access-key'],
    ['key id ASIAZZ3X5C7V9B1N3M5Q used', 'ASIAZZ3X5C7V9B1N3M5Q', 'aws-access-key-id'],
    ['"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBg\\n-----END PRIVATE KEY-----\\n"', 'MIIEvQIBADANBg', 'private-key'],
    ['helm upgrade --set auth.rootPassword=H3lmPw77 traffic-system', 'H3lmPw77', 'minio'],
    ['password: two words here  # set by ops', 'two words here', 'password'],
    ["{'password': 'py-dict-pw'}", 'py-dict-pw', 'password'],
    ['{\\"token\\":\\"esc4ped-t0ken\\"}', 'esc4ped-t0ken', 'credential'],
    ['&quot;password&quot;: &quot;html-pw-1&quot;', 'html-pw-1', 'password'],
    ['CREATE USER app IDENTIFIED BY \'my-sql-pw\'', 'my-sql-pw', 'password'],
    ['annotations: {"kubectl.kubernetes.io/last-applied-configuration": "{\\"data\\":{\\"x\\":\\"y\\"}}"}', '\\"x\\":\\"y\\"', 'last-applied-configuration'],
    ['xoxb-123456789012-abcdefghijkl', 'xoxb-123456789012-abcdefghijkl', 'service-token'],
    ['env: [{"name": "PGPASSWORD", "value": "inline-env-pw"}]', 'inline-env-pw', 'password'],
  ];
  test.each(cases)('%s', (input, secret, rule) => {
    const result = redactor.redactText(input);
    expect(result.text).not.toContain(secret);
    expect(result.counts[rule]).toBeGreaterThanOrEqual(1);
  });

  test('a YAML block scalar under a sensitive key is hidden, structure kept', () => {
    const text = 'config:\n  token: |\n    line-one-secret\n    line-two-secret\n  mode: fast\n';
    const out = redactor.redactText(text).text;
    expect(out).toMatch(/^config:\n  token: \|\n    \[REDACTED:credential:[0-9a-f]{6}\]\n  mode: fast\n$/);
  });

  test('kubectl describe output hides the last-applied-configuration value on the next line', () => {
    const text = [
      'Annotations:  kubectl.kubernetes.io/last-applied-configuration:',
      '                {"apiVersion":"v1","data":{"password":"abc"},"kind":"Secret"}',
      '              meta.helm.sh/release-name: traffic-system',
      '',
    ].join('\n');
    const out = redactor.redactText(text).text;
    expect(out).not.toContain('apiVersion');
    expect(out).toContain('meta.helm.sh/release-name: traffic-system');
  });

  test('templates and placeholders are not secrets', () => {
    const text = 'password: ${POSTGRES_PASSWORD}\ntoken: {{ .Values.token }}\nPASSWORD=\napi_key: ********\n';
    expect(redactor.redactText(text).text).toBe(text);
  });

  test('redacting again changes nothing', () => {
    const corpus = buildSecretCorpus();
    const once = redactor.redactText(corpus.files['report/report.md']).text;
    expect(redactor.redactText(once).text).toBe(once);
  });
});

describe('tokens, custom rules, previews, exemptions', () => {
  test('tokens are HMAC-derived from the bundle key: stable within a bundle, different across bundles', () => {
    const a = createRedactor({ key: Buffer.alloc(32, 1) });
    const b = createRedactor({ key: Buffer.alloc(32, 2) });
    expect(a.tokenFor('jwt', 'x')).toMatch(/^\[REDACTED:jwt:[0-9a-f]{6}\]$/);
    expect(a.tokenFor('jwt', 'x')).toBe(createRedactor({ key: Buffer.alloc(32, 1) }).tokenFor('jwt', 'x'));
    expect(a.tokenFor('jwt', 'x')).not.toBe(b.tokenFor('jwt', 'x'));
    expect(a.tokenFor('password', 'pw').slice(-7)).toBe(a.tokenFor('secret-data', 'pw').slice(-7));
  });

  test('custom literals and patterns are hidden as `custom`; a named group `secret` limits the hidden part', () => {
    const r = createRedactor({ customLiterals: ['Proyecto Búho', 'cam-07'], customPatterns: ['ticket=(?<secret>[0-9]{6})', 'INC-\\d{4}'] });
    const out = r.redactText('Proyecto Búho cam-07 ticket=123456 INC-2026 cam-08');
    expect(out.text).toMatch(/^\[REDACTED:custom:[0-9a-f]{6}\] \[REDACTED:custom:[0-9a-f]{6}\] ticket=\[REDACTED:custom:[0-9a-f]{6}\] \[REDACTED:custom:[0-9a-f]{6}\] cam-08$/);
    expect(out.counts).toEqual({ custom: 4 });
    expect(() => createRedactor({ customPatterns: ['(unclosed'] })).toThrow(/not a valid regular expression/);
    expect(() => createRedactor({ customPatterns: ['a*'] })).toThrow(/empty string/);
  });

  test('a preview gives the output, the spans of hidden values and counts, without touching the ledger', () => {
    const r = createRedactor();
    const preview = r.preview('user=ops password=hunter22 url=https://u:p4ssw0rd@minio:9000/x');
    expect(preview.spans.map((s) => s.rule)).toEqual(['password', 'url-password']);
    for (const s of preview.spans) expect(preview.text.slice(s.start, s.end)).toMatch(/^\[REDACTED:[a-z-]+:[0-9a-f]{6}\]$/);
    expect(preview.counts).toEqual({ password: 1, 'url-password': 1 });
    const objectPreview = r.preview({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'YQ==' } });
    expect(objectPreview.text).toContain('a: "[REDACTED:secret-data:');
    expect(objectPreview.counts).toEqual({ 'secret-data': 1 });
    expect(r.ledger.toJSON().files).toEqual([]);
  });

  test('turning redaction off for a file is explicit, needs a reason, and is recorded', async () => {
    const r = createRedactor();
    expect(() => r.exemptFile('notes/raw.txt', '  ')).toThrow(/needs a reason/);
    r.exemptFile('notes/raw.txt', 'customer asked for the raw log', 'ana@example.com');
    const result = r.redactText('password=hunter22', 'notes/raw.txt');
    expect(result.text).toBe('password=hunter22');
    expect(result.decision).toEqual({ redaction: 'exempted', reason: 'customer asked for the raw log', decidedBy: 'ana@example.com' });
    const streamed = await streamThrough(r, 'notes/raw.txt', Buffer.from('password=hunter22\n'), 4);
    expect(streamed.toString()).toBe('password=hunter22\n');
    r.redactText('password=hunter22', 'logs/a.log');
    expect(() => r.exemptFile('logs/a.log', 'too late')).toThrow(/already been written/);
    expect(r.ledger.toJSON().files).toEqual([
      { file: 'logs/a.log', redaction: 'applied', counts: { password: 1 }, total: 1 },
      { file: 'notes/raw.txt', redaction: 'exempted', reason: 'customer asked for the raw log', decidedBy: 'ana@example.com', counts: {}, total: 0 },
    ]);
  });

  test('redactObject hides Secrets in a typed list whose items carry no kind', () => {
    const r = createRedactor();
    const list = { apiVersion: 'v1', kind: 'SecretList', items: [{ metadata: { name: 'a' }, data: { 'tls.crt': 'Y2VydA==' } }] };
    const { value, counts } = r.redactObject(list);
    expect((value as typeof list).items[0].data['tls.crt']).toMatch(/^\[REDACTED:secret-data:/);
    expect((value as typeof list).items[0].metadata.name).toBe('a');
    expect(counts).toEqual({ 'secret-data': 1 });
    expect(list.items[0].data['tls.crt']).toBe('Y2VydA==');
  });
});

describe('log streams', () => {
  const corpus = buildSecretCorpus();
  const logFiles = Object.keys(corpus.files).filter((f) => f.endsWith('.log'));

  test.each([1, 7, 64, 4096])('chunks of %i bytes give the same output as redactText, PEM blocks included', async (chunkSize) => {
    const key = Buffer.alloc(32, 9);
    for (const file of logFiles) {
      const expected = createRedactor({ key, customLiterals: [CUSTOMER] }).redactText(corpus.files[file]).text;
      const streamed = await streamThrough(createRedactor({ key, customLiterals: [CUSTOMER] }), file, Buffer.from(corpus.files[file]), chunkSize);
      expect(streamed.toString('utf8')).toBe(expected);
    }
  });

  test('a log that ends inside a PEM block still hides the block', async () => {
    const input = 'start\n-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBk3Q0xWc2VjcmV0LWtleS1tYXRlcmlhbA\n';
    const out = (await streamThrough(createRedactor(), 'x.log', Buffer.from(input), 5)).toString();
    expect(out).toMatch(/^start\n\[REDACTED:private-key:[0-9a-f]{6}\]\n$/);
  });

  test('lines past the limit are cut at a word boundary with a marker; the next line is intact', async () => {
    const r = createRedactor({ maxLineBytes: 1000 });
    const long = 'word '.repeat(500) + 'password=cut-secret-value ' + 'x'.repeat(3000);
    const input = `first\n${long}\nnext password=n3xt-pw\n`;
    const out = (await streamThrough(r, 'big.log', Buffer.from(input), 333)).toString();
    const lines = out.split('\n');
    expect(lines[0]).toBe('first');
    expect(Buffer.byteLength(lines[1])).toBeLessThan(1100);
    expect(lines[1].endsWith(truncationMarker(Buffer.byteLength(long) - 1000))).toBe(true);
    expect(out).not.toContain('cut-secret-value');
    expect(lines[2]).toMatch(/^next password=\[REDACTED:password:[0-9a-f]{6}\]$/);
    expect(lines.length).toBe(4);
  });

  test('bytes that are not UTF-8 pass through unchanged', async () => {
    const input = Buffer.concat([Buffer.from('bin '), Buffer.from([0xff, 0xfe, 0xa0, 0x80]), Buffer.from(' password=b1nary-pw\nok\n')]);
    const out = await streamThrough(createRedactor(), 'bin.log', input, 3);
    expect(out.subarray(0, 8)).toEqual(input.subarray(0, 8));
    expect(out.toString('latin1')).not.toContain('b1nary-pw');
    expect(out.toString('latin1').endsWith('\nok\n')).toBe(true);
  });
});
