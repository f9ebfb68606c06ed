import { generateKeyPairSync } from 'node:crypto';

/**
 * A bundle's worth of files with secrets planted in every kind of file the bundle writer
 * produces, and a matching corpus with no secrets at all (things that look a bit like
 * secrets but are not: pod names, digests, hashes, uids, IPs, references to secrets).
 */

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const b64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

export interface SecretCorpus {
  files: Record<string, string>;
  /** Every value that must not appear in any redacted output. */
  planted: string[];
  /** Values planted in several files, whose tokens must carry the same hex everywhere. */
  shared: { dbPassword: string; djangoSecretKey: string; minioRootPassword: string };
}

export function buildSecretCorpus(): SecretCorpus {
  const dbPassword = 'Xk9vPq2LmW7tRz4N';
  const djangoSecretKey = 'dj4ng0-s3cr3t-k3y-9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c';
  const minioRootUser = 'minioadmin-prod-7Q2';
  const minioRootPassword = 'Mn1oR00tPa55-8KxV2qZ';
  const awsAccessKeyId = 'AKIAQ7X2M4N6P8R0T2V4';
  const awsSecretKey = 'wJx7Lq9Tr2Vb5Nm8Kp3Zs6Hd1Fg4Yc0Ae7Uo9IiQ';
  const slackWebhook = 'https://hooks.slack.com/services/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';
  const slackPath = 'T04ABCD1EFG/B05HIJK2LMN/q1W2e3R4t5Y6u7I8o9P0a1S2';
  const apiToken = 'tk_live_51Hh8QpR2kLmN3oP4qR5sT6uV7wX8yZ9';
  const githubToken = 'ghp_' + 'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A';
  const kubeToken = 'kube-sa-token-Zr8Pq3Lm9Wx2Vb7Nk4Ty6Hs1Df5Gj0';
  const kubeUserPassword = 'kUb3-Adm1n-Pw-4471';
  const nginxBasicPassword = 'ngInx-Ba5ic-9921';
  const queryToken = 'q7T0k3n-Ab9Xy2Zw8Lm5';
  const libpqPassword = 'LibPq-Pw-3381xQ';
  const adoPassword = 'Ad0-Pw!77zz';
  const mysqlPassword = 'MySqlPw-90210-aq';
  const customerName = 'Acme Logistics Oy';
  const jwt =
    b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' })) +
    '.' +
    b64url(JSON.stringify({ sub: '42', name: 'operador', exp: 1893456000 })) +
    '.' +
    'c2lnbmF0dXJlLW9mLXRoZS10b2tlbi0xMjM0NTY3ODkw';
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString().trimEnd();
  const pemBody = pem.split('\n')[5];
  const clientKeyData = b64(pem);
  const clientCertData = b64('-----BEGIN CERTIFICATE-----\nMIIBkTCB+wIJAKHHIGsomeCertBody123\n-----END CERTIFICATE-----');
  const basic = b64(`ops:${nginxBasicPassword}`);

  const lastApplied = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'traffic-system-secrets', namespace: 'traffic-system' },
    stringData: { 'django-secret-key': djangoSecretKey, 'postgres-password': dbPassword },
  });

  const files: Record<string, string> = {};

  files['cluster/resources/secrets.yaml'] = `apiVersion: v1
kind: Secret
metadata:
  name: traffic-system-secrets
  namespace: traffic-system
  uid: 6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f
  resourceVersion: "884213"
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: |
      ${lastApplied}
type: Opaque
data:
  django-secret-key: ${b64(djangoSecretKey)}
  postgres-password: ${b64(dbPassword)}
  aws-secret-access-key: ${b64(awsSecretKey)}
stringData:
  slack-webhook: ${slackWebhook}
---
apiVersion: v1
kind: Secret
metadata:
  name: traffic-system-minio
  namespace: traffic-system
type: Opaque
data:
  root-user: ${b64(minioRootUser)}
  root-password: ${b64(minioRootPassword)}
---
apiVersion: v1
kind: Secret
metadata:
  name: traffic-system-tls
  namespace: traffic-system
type: kubernetes.io/tls
stringData:
  tls.key: |
${pem.split('\n').map((l) => '    ' + l).join('\n')}
`;

  files['cluster/resources/configmaps.yaml'] = `apiVersion: v1
kind: ConfigMap
metadata:
  name: traffic-system-backend-config
  namespace: traffic-system
data:
  DATABASE_URL: postgresql://trafficuser:${dbPassword}@traffic-system-postgresql:5432/trafficdb
  REPORTS_DB_URL: mysql://reports:${mysqlPassword}@reports-mysql.traffic-system.svc:3306/reports
  DJANGO_DEBUG: "false"
  LOG_LEVEL: INFO
  API_TOKEN: ${apiToken}
  LEGACY_DB: "Server=legacy-sql;Database=fines;User Id=sa;Password=${adoPassword};"
  PG_DSN: "host=traffic-system-postgresql port=5432 user=trafficuser password=${libpqPassword} dbname=trafficdb"
  settings.ini: |
    [database]
    host = traffic-system-postgresql
    password = ${dbPassword}
    [storage]
    endpoint = http://traffic-system-minio:9000
`;

  files['cluster/resources/deployments.json'] = JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'traffic-system-backend', namespace: 'traffic-system' },
          spec: {
            template: {
              spec: {
                serviceAccountName: 'traffic-system-backend',
                automountServiceAccountToken: true,
                containers: [
                  {
                    name: 'backend',
                    image: 'registry.example.com/traffic/backend@sha256:9b2f6c1e0d4a8b7c6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d',
                    args: ['--db-password=' + dbPassword],
                    env: [
                      { name: 'DJANGO_SECRET_KEY', value: djangoSecretKey },
                      { name: 'POSTGRES_PASSWORD', value: dbPassword },
                      { name: 'MINIO_ROOT_USER', value: minioRootUser },
                      { name: 'MINIO_ROOT_PASSWORD', value: minioRootPassword },
                      { name: 'AWS_ACCESS_KEY_ID', value: awsAccessKeyId },
                      { name: 'AWS_SECRET_ACCESS_KEY', value: awsSecretKey },
                      { name: 'SLACK_WEBHOOK_URL', value: slackWebhook },
                      { name: 'GITHUB_TOKEN', value: githubToken },
                      { name: 'DJANGO_ALLOWED_HOSTS', value: 'traffic.example.com' },
                      {
                        name: 'DB_PASSWORD_FROM_SECRET',
                        valueFrom: { secretKeyRef: { name: 'traffic-system-secrets', key: 'postgres-password' } },
                      },
                    ],
                  },
                ],
                volumes: [{ name: 'tls', secret: { secretName: 'traffic-system-tls' } }],
              },
            },
          },
        },
      ],
    },
    null,
    2,
  );

  files['kubeconfig.yaml'] = `apiVersion: v1
kind: Config
current-context: traffic-prod
clusters:
- name: traffic-prod
  cluster:
    server: https://10.20.30.40:6443
    certificate-authority-data: ${b64('-----BEGIN CERTIFICATE-----\nCAcert\n-----END CERTIFICATE-----')}
users:
- name: ops-token
  user:
    token: ${kubeToken}
- name: ops-cert
  user:
    client-certificate-data: ${clientCertData}
    client-key-data: ${clientKeyData}
- name: ops-basic
  user:
    username: admin
    password: ${kubeUserPassword}
contexts:
- name: traffic-prod
  context:
    cluster: traffic-prod
    user: ops-token
`;

  files['cluster/logs/traffic-system/traffic-system-backend-7d9f8c6b5-x2k4p/backend.log'] = [
    `2026-11-29T10:15:02.123Z INFO django.server "GET /api/v1/infractions/?page=2 HTTP/1.1" 200 5123`,
    `2026-11-29T10:15:03.456Z DEBUG auth Incoming request headers: {'Authorization': 'Bearer ${jwt}', 'Host': 'traffic.example.com'}`,
    `2026-11-29T10:15:03.457Z WARNING auth Invalid token: Signature has expired.`,
    `2026-11-29T10:15:04.001Z ERROR db could not connect: postgresql://trafficuser:${dbPassword}@traffic-system-postgresql:5432/trafficdb`,
    `2026-11-29T10:15:04.002Z DEBUG settings SECRET_KEY = '${djangoSecretKey}'`,
    `2026-11-29T10:15:04.003Z DEBUG settings {"AWS_SECRET_ACCESS_KEY": "${awsSecretKey}", "AWS_ACCESS_KEY_ID": "${awsAccessKeyId}", "region": "eu-north-1"}`,
    `2026-11-29T10:15:04.004Z INFO notify posting to ${slackWebhook}`,
    `2026-11-29T10:15:04.005Z DEBUG loaded signing key:`,
    ...pem.split('\n'),
    `2026-11-29T10:15:04.006Z INFO ml-client api_key=${apiToken} model=yolo-v8 latency_ms=41`,
    `2026-11-29T10:15:05.000Z INFO customer ${customerName} uploaded 12 images`,
    '',
  ].join('\n');

  files['cluster/logs/traffic-system/traffic-system-postgresql-0/postgresql.log'] = [
    `2026-11-29 10:14:59.120 UTC [1] LOG:  database system is ready to accept connections`,
    `2026-11-29 10:15:01.331 UTC [88] FATAL:  password authentication failed for user "trafficuser"`,
    `2026-11-29 10:15:01.332 UTC [88] DETAIL:  Connection matched pg_hba.conf line 99: "host all all all md5"`,
    `2026-11-29 10:15:02.000 UTC [90] LOG:  pgbouncer conninfo "host=127.0.0.1 port=5432 user=trafficuser password=${libpqPassword} dbname=trafficdb"`,
    `2026-11-29 10:15:02.100 UTC [91] LOG:  statement: ALTER USER trafficuser WITH PASSWORD '${dbPassword}'`,
    '',
  ].join('\n');

  files['cluster/logs/traffic-system/traffic-system-minio-5c8d7f9b6-q7w8e/minio.log'] = [
    `API: SYSTEM()`,
    `Time: 10:14:58 UTC 11/29/2026`,
    `MINIO_ROOT_USER=${minioRootUser}`,
    `MINIO_ROOT_PASSWORD=${minioRootPassword}`,
    `Access Key: ${awsAccessKeyId}`,
    `Status:         1 Online, 0 Offline.`,
    `S3-API: http://10.244.1.17:9000  http://127.0.0.1:9000`,
    '',
  ].join('\n');

  files['cluster/logs/ingress-nginx/ingress-nginx-controller-6f7c9d8b5-m3n4p/controller.log'] = [
    `10.244.0.1 - - [29/Nov/2026:10:15:02 +0000] "GET /api/v1/reports/export?token=${queryToken}&page=2 HTTP/1.1" 200 1024 "-" "Mozilla/5.0" 512 0.012 [traffic-system-traffic-system-backend-8000] [] 10.244.1.12:8000 1024 0.012 200 3f2a9c1b7e6d5a4f`,
    `10.244.0.1 - - [29/Nov/2026:10:15:03 +0000] "GET /minio/ HTTP/1.1" 401 0 "-" "curl/8.5.0" request_headers="Authorization: Basic ${basic}"`,
    `I1129 10:15:04.000000       7 controller.go:190] "Backend successfully reloaded"`,
    '',
  ].join('\n');

  files['report/report.md'] = `# Escalation: backend cannot reach PostgreSQL

Customer: ${customerName}

## Evidence

\`\`\`yaml
env:
  - name: POSTGRES_PASSWORD
    value: ${dbPassword}
  - name: DJANGO_SECRET_KEY
    value: "${djangoSecretKey}"
\`\`\`

The backend used \`postgresql://trafficuser:${dbPassword}@traffic-system-postgresql:5432/trafficdb\`.
MinIO console reached with https://admin:${minioRootPassword}@minio.traffic.example.net/ and \`curl -H "Authorization: Bearer ${jwt}"\`.
`;

  files['report/report.html'] = `<!doctype html><html><body><h1>Escalation</h1>
<pre>password: ${dbPassword}
MINIO_ROOT_PASSWORD=${minioRootPassword}</pre>
<p>Token used: <code>${jwt}</code></p>
</body></html>
`;

  files['incident.json'] = JSON.stringify(
    {
      id: 'inc-2026-11-29-001',
      title: 'Backend 500s after secret rotation',
      timeline: [
        { at: '2026-11-29T10:15:04Z', note: `DATABASE_URL was postgresql://trafficuser:${dbPassword}@traffic-system-postgresql:5432/trafficdb` },
        { at: '2026-11-29T10:16:00Z', note: 'Rotated secret traffic-system-secrets' },
      ],
      evidence: {
        secret: {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'traffic-system-minio' },
          data: { 'root-password': b64(minioRootPassword) },
        },
        headers: { authorization: `Bearer ${jwt}`, 'x-api-key': apiToken },
        credentials: { password: kubeUserPassword, username: 'admin' },
      },
    },
    null,
    2,
  );

  const planted = [
    dbPassword, b64(dbPassword), djangoSecretKey, b64(djangoSecretKey), minioRootUser, b64(minioRootUser),
    minioRootPassword, b64(minioRootPassword), awsAccessKeyId, awsSecretKey, b64(awsSecretKey), slackPath, apiToken,
    githubToken, kubeToken, kubeUserPassword, nginxBasicPassword, basic, queryToken, libpqPassword, adoPassword,
    mysqlPassword, jwt, pemBody, clientKeyData.slice(0, 64), clientCertData.slice(0, 64), customerName,
  ];
  return { files, planted, shared: { dbPassword, djangoSecretKey, minioRootPassword } };
}

/** Files with nothing secret in them; redaction must leave every byte as it was. */
export function buildCleanCorpus(): Record<string, string> {
  const files: Record<string, string> = {};
  files['cluster/resources/pods.yaml'] = `apiVersion: v1
kind: Pod
metadata:
  name: traffic-system-backend-7d9f8c6b5-x2k4p
  namespace: traffic-system
  uid: 0b7e3c1a-9d2f-4e6b-8a5c-3f1d2e4b6a8c
  resourceVersion: "1048576"
  creationTimestamp: "2026-11-29T10:14:58Z"
  labels:
    app.kubernetes.io/name: traffic-system
    app.kubernetes.io/component: auth
    pod-template-hash: 7d9f8c6b5
  annotations:
    checksum/config: 5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8
    meta.helm.sh/release-name: traffic-system
spec:
  serviceAccountName: traffic-system-backend
  automountServiceAccountToken: true
  containers:
  - name: backend
    image: registry.example.com/traffic/backend@sha256:9b2f6c1e0d4a8b7c6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d
    env:
    - name: POSTGRES_PASSWORD
      valueFrom:
        secretKeyRef:
          name: traffic-system-postgresql
          key: postgres-password
    - name: DJANGO_SECRET_KEY
      valueFrom:
        secretKeyRef: {name: traffic-system-secrets, key: django-secret-key}
    - name: AUTH_ENABLED
      value: "true"
    - name: TOKEN_LIFETIME_SECONDS
      value: "3600"
    - name: KEYBOARD_LAYOUT
      value: es
    - name: TOKENIZER_MODEL
      value: bert-base-multilingual
    envFrom:
    - secretRef:
        name: traffic-system-secrets
    volumeMounts:
    - name: tls
      mountPath: /etc/tls
  volumes:
  - name: tls
    secret:
      secretName: traffic-system-tls
      items:
      - key: tls.crt
        path: tls.crt
  tolerations:
  - key: nvidia.com/gpu
    operator: Exists
    effect: NoSchedule
status:
  podIP: 10.244.1.12
  hostIP: 192.168.49.2
  containerStatuses:
  - name: backend
    imageID: docker-pullable://registry.example.com/traffic/backend@sha256:9b2f6c1e0d4a8b7c6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d
    containerID: containerd://4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e
`;
  files['cluster/resources/ingress.json'] = JSON.stringify(
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'traffic-system', namespace: 'traffic-system', resourceVersion: '99812', generation: 4 },
      spec: {
        tls: [{ hosts: ['traffic.example.com'], secretName: 'traffic-system-tls' }],
        rules: [{ host: 'traffic.example.com', http: { paths: [{ path: '/api', pathType: 'Prefix', backend: { service: { name: 'traffic-system-backend', port: { number: 8000 } } } }] } }],
      },
    },
    null,
    2,
  ) + '\n';
  files['cluster/logs/traffic-system/traffic-system-backend-7d9f8c6b5-x2k4p/backend.log'] = [
    `2026-11-29T10:15:02.123Z INFO django.server "GET /api/v1/infractions/?page=2 HTTP/1.1" 200 5123`,
    `2026-11-29T10:15:02.200Z INFO django.server "POST /api/auth/token/refresh/ HTTP/1.1" 200 312`,
    `2026-11-29T10:15:03.457Z WARNING auth Invalid token: Signature has expired.`,
    `2026-11-29T10:15:03.500Z INFO detection plate=1234-BCD camera=cam-07 confidence=0.93 frame_sha256=2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae`,
    `2026-11-29T10:15:03.600Z INFO deploy commit=3f9a1c2b4d6e8f0a1b3c5d7e9f1a3b5c7d9e1f3a version=2.14.1`,
    `2026-11-29T10:15:03.700Z INFO keyboard shortcut handler registered; monkey patching disabled; author=ops`,
    `2026-11-29T10:15:03.800Z INFO secretName=traffic-system-tls serviceAccountName=traffic-system-backend`,
    `2026-11-29T10:15:03.900Z INFO upload s3://traffic-evidence/2026/11/29/cam-07/frame-000123.jpg etag="9e107d9d372bb6826bd81d3542a419d6"`,
    `2026-11-29T10:15:04.000Z ERROR request_id=7f3b2a1c-9e8d-4c6b-a5f4-3e2d1c0b9a8f upstream 10.96.0.10:53 timed out after 5000ms`,
    `2026-11-29T10:15:04.100Z INFO Ñandú café ünïcode line — 中文 日志 ✓`,
    `2026-11-29T10:15:04.200Z INFO password reset email sent to user id 4521`,
    '',
  ].join('\n');
  files['cluster/logs/traffic-system/traffic-system-postgresql-0/postgresql.log'] = [
    `2026-11-29 10:15:01.331 UTC [88] FATAL:  password authentication failed for user "trafficuser"`,
    `2026-11-29 10:15:01.400 UTC [89] LOG:  connection authorized: user=trafficuser database=trafficdb application_name=psql`,
    `2026-11-29 10:15:01.500 UTC [89] LOG:  checkpoint complete: wrote 1204 buffers (7.3%); 0 WAL file(s) added, 0 removed, 1 recycled`,
    '',
  ].join('\n');
  files['cluster/logs/ingress-nginx/ingress-nginx-controller-6f7c9d8b5-m3n4p/controller.log'] = [
    `10.244.0.1 - - [29/Nov/2026:10:15:02 +0000] "GET /api/v1/auth/login?next=/dashboard HTTP/1.1" 302 0 "-" "Mozilla/5.0" 512 0.004 [traffic-system-traffic-system-backend-8000] [] 10.244.1.12:8000 0 0.004 302 3f2a9c1b7e6d5a4f`,
    `W1129 10:15:03.000000       7 controller.go:1112] Service "traffic-system/traffic-system-frontend" does not have any active Endpoint.`,
    '',
  ].join('\n');
  files['report/report.md'] = `# Escalation: GPU node pressure

- Pod \`traffic-system-ml-service-6b8f7d9c4-z9y8x\` restarted 14 times (OOMKilled).
- Image \`registry.example.com/traffic/ml@sha256:4e07408562bedb8b60ce05c1decfe3ad16b72230967de01f640b7e4729b49fce\`.
- Secret referenced: \`secretName: traffic-system-tls\`; key reference \`secretKeyRef: {name: traffic-system-secrets, key: django-secret-key}\`.
- Node 10.244.2.0/24, resourceVersion 1048576, uid 0b7e3c1a-9d2f-4e6b-8a5c-3f1d2e4b6a8c.
- Tokenizer warm-up took 3.2s; \`automountServiceAccountToken: true\`.
`;
  files['incident.json'] = JSON.stringify(
    {
      id: 'inc-2026-11-29-002',
      title: 'GPU node pressure',
      pods: ['traffic-system-ml-service-6b8f7d9c4-z9y8x'],
      digest: 'sha256:4e07408562bedb8b60ce05c1decfe3ad16b72230967de01f640b7e4729b49fce',
      tokenBudget: 4096,
      authEnabled: true,
      secretName: 'traffic-system-tls',
      keyboardLayout: 'es',
      at: '2026-11-29T10:15:04Z',
    },
    null,
    2,
  ) + '\n';
  return files;
}
