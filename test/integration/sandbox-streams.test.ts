// exec and port-forward of the sandbox, driven by the real clients: @kubernetes/client-node
// (Exec, PortForward) and kubectl binaries, against a small HTTPS API server on 127.0.0.1 that
// hands upgrade requests to the stream handlers.

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { Exec, KubeConfig, PortForward, type V1Status } from '@kubernetes/client-node';
// Not re-exported by the package index; used to make client-node offer only older protocols.
import { WebSocketHandler } from '@kubernetes/client-node/dist/web-socket-handler.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { handleExecUpgrade, handlePortForwardUpgrade, type StreamContext } from '../../src/main/sandbox/streams';
import type { KubeObject, Scenario } from '../../src/main/sandbox/snapshot-types';
import { generateSandboxCertificates } from '../../src/main/sandbox/tls';

const NS = 'traffic-system';
const NOW = new Date('2025-03-01T10:00:00Z');
const NOW_EPOCH = '1740823200';
const BACKEND_POD = 'traffic-system-backend-7d9f8c6b5-x2k4p';

function pod(name: string, labels: Record<string, string>, containers: Array<{ name: string; ports?: object[] }>, states: Record<string, object>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, uid: `uid-${name}`, labels, creationTimestamp: '2025-02-28T08:00:00Z' },
    spec: { nodeName: 'gpu-node-1', containers: containers.map((c) => ({ image: `registry.local/${c.name}:1.4.2`, ...c })) },
    status: {
      phase: 'Running',
      containerStatuses: containers.map((c) => ({ name: c.name, ready: 'running' in states[c.name], restartCount: 0, state: states[c.name] })),
    },
  };
}

const running = { running: { startedAt: '2025-02-28T08:01:00Z' } };
const objects: KubeObject[] = [
  pod(BACKEND_POD, { 'app.kubernetes.io/name': 'backend' }, [{ name: 'backend', ports: [{ name: 'http', containerPort: 8000 }] }], { backend: running }),
  pod('traffic-system-postgresql-0', { 'app.kubernetes.io/name': 'postgresql' }, [{ name: 'postgresql' }, { name: 'metrics' }], {
    postgresql: running,
    metrics: running,
  }),
  pod('traffic-system-ml-service-6c9d7-qq8zt', { 'app.kubernetes.io/name': 'ml-service' }, [{ name: 'ml-service', ports: [{ containerPort: 5000 }] }], {
    'ml-service': { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' } },
  }),
  pod('traffic-system-prometheus-server-5f7b9-lm2np', { app: 'prometheus', component: 'server' }, [{ name: 'prometheus-server' }], {
    'prometheus-server': running,
  }),
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'traffic-system-backend', namespace: NS },
    spec: { selector: { 'app.kubernetes.io/name': 'backend' }, ports: [{ port: 8000, targetPort: 'http' }] },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'traffic-system-prometheus-server', namespace: NS },
    spec: { selector: { app: 'prometheus', component: 'server' }, ports: [{ port: 80, targetPort: 9090 }] },
  },
];

const PG_STAT_OUTPUT = `                 query                  | mean_exec_time\n----------------------------------------+----------------\n SELECT * FROM infractions WHERE plate = $1 |        4210.55\n(1 row)\n`;

const scenario: Scenario = {
  name: 'streams-test',
  title: { es: 'Prueba de streams', en: 'Streams test' },
  latencyMs: 0,
  users: [],
  exec: [
    { pod: 'traffic-system-backend-*', command: 'date +%s', stdout: '{{nowEpoch}}\n', stderr: '', exitCode: 0, delayMs: 0 },
    { pod: 'traffic-system-backend-*', command: 'sh -c exit 3', stdout: 'checking migrations\n', stderr: 'migrations pending: 2\n', exitCode: 3, delayMs: 0 },
    { pod: 'traffic-system-backend-*', command: 'python manage.py check --deploy', stdout: 'System check identified no issues (0 silenced).\n', stderr: '', exitCode: 0, delayMs: 400 },
    {
      namespace: NS,
      pod: 'traffic-system-postgresql-0',
      container: 'postgresql',
      command: 'psql*pg_stat_statements*',
      stdout: PG_STAT_OUTPUT,
      stderr: '',
      exitCode: 0,
      delayMs: 0,
    },
    { pod: 'traffic-system-postgresql-0', container: 'metrics', command: 'date*', stdout: 'metrics-{{now-60}}\n', stderr: '', exitCode: 0, delayMs: 0 },
  ],
  http: [
    {
      namespace: NS,
      service: 'traffic-system-backend',
      port: 8000,
      method: 'GET',
      path: '/api/v1/health/',
      status: 200,
      headers: { 'Content-Type': 'application/json' },
      body: '{"status":"ok","database":"ok","checkedAt":"{{now}}"}',
      delayMs: 0,
    },
    {
      pod: 'traffic-system-backend-*',
      port: 8000,
      method: 'POST',
      path: '/api/v1/detections/',
      status: 503,
      headers: { 'Content-Type': 'application/json', 'Retry-After': '30' },
      body: '{"detail":"ml-service unavailable"}',
      delayMs: 0,
    },
    {
      pod: 'traffic-system-backend-*',
      port: 8000,
      method: 'GET',
      path: '/api/v1/infractions/',
      status: 200,
      headers: { 'Content-Type': 'application/json' },
      body: '{"count":0,"results":[]}',
      delayMs: 500,
    },
    {
      service: 'traffic-system-prometheus-server',
      port: 80,
      method: 'GET',
      path: '/-/ready',
      status: 200,
      headers: { 'Content-Type': 'text/plain' },
      body: 'Prometheus Server is Ready.\n',
      delayMs: 0,
    },
  ],
  metrics: { pods: [], nodes: [] },
  volumes: [],
  expect: [],
};

const ctx: StreamContext = {
  scenario,
  findPod: (namespace, name) => objects.find((o) => o.kind === 'Pod' && o.metadata.namespace === namespace && o.metadata.name === name),
  listObjects: () => objects,
  now: () => NOW,
};

// --- a minimal API server: what kubectl reads before exec, and the two stream endpoints ---

const apiResources = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: 'v1',
  resources: [
    { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list'], shortNames: ['po'] },
    { name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get'] },
    { name: 'pods/portforward', singularName: '', namespaced: true, kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
    { name: 'services', singularName: 'service', namespaced: true, kind: 'Service', verbs: ['get', 'list'], shortNames: ['svc'] },
  ],
};

function sendJson(res: http.ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function answerApiRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', 'https://127.0.0.1');
  if (url.pathname === '/version') {
    return sendJson(res, 200, { major: '1', minor: '33', gitVersion: 'v1.33.1', platform: 'linux/amd64' });
  }
  if (url.pathname === '/api') return sendJson(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
  if (url.pathname === '/apis') return sendJson(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
  if (url.pathname === '/api/v1') return sendJson(res, 200, apiResources);
  const podPath = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/.exec(url.pathname);
  const found = podPath && ctx.findPod(podPath[1], podPath[2]);
  if (found) return sendJson(res, 200, found);
  sendJson(res, 404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', code: 404 });
}

function routeUpgrade(req: http.IncomingMessage, socket: import('node:stream').Duplex, head: Buffer): void {
  const url = new URL(req.url ?? '/', 'https://127.0.0.1');
  const match = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|portforward)$/.exec(url.pathname);
  if (!match) {
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    return;
  }
  const target = { namespace: match[1], pod: match[2] };
  if (match[3] === 'exec') handleExecUpgrade(req, socket, head, ctx, target);
  else handlePortForwardUpgrade(req, socket, head, ctx, target);
}

let server: https.Server;
let serverUrl: string;
let caPem: string;
let workDir: string;
let kubeconfigPath: string;
let kc: KubeConfig;

beforeAll(async () => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'roadside-streams-'));
  const certs = await generateSandboxCertificates();
  caPem = certs.caPem;
  server = https.createServer({ cert: certs.certPem, key: certs.keyPem }, answerApiRequest);
  server.on('upgrade', routeUpgrade);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serverUrl = `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`;

  const kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'sandbox', cluster: { server: serverUrl, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
    users: [{ name: 'trainee', user: { token: 'sandbox-token' } }],
    contexts: [{ name: 'sandbox', context: { cluster: 'sandbox', user: 'trainee', namespace: NS } }],
    'current-context': 'sandbox',
  };
  kubeconfigPath = path.join(workDir, 'kubeconfig');
  writeFileSync(kubeconfigPath, JSON.stringify(kubeconfig));
  kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

// --- client-node Exec ---

class Collector extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString('utf8');
    callback();
  }
}

interface ExecResult {
  stdout: string;
  stderr: string;
  status: V1Status;
  protocol: string;
}

async function execWithClientNode(
  podName: string,
  container: string,
  command: string[],
  options: { offeredProtocols?: string[]; tty?: boolean } = {},
): Promise<ExecResult> {
  const stdout = new Collector();
  const stderr = new Collector();
  // An older client (client-node 0.x, kubectl before v5) offers v4 at best.
  const handler = options.offeredProtocols
    ? new WebSocketHandler(kc, (uri: string, _protocols: string[], opts: WebSocket.ClientOptions) => new WebSocket(uri, options.offeredProtocols, opts) as never)
    : undefined;
  const exec = new Exec(kc, handler);
  let resolveStatus!: (status: V1Status) => void;
  const statusReceived = new Promise<V1Status>((resolve) => (resolveStatus = resolve));
  const ws = await exec.exec(NS, podName, container, command, stdout, options.tty ? null : stderr, null, options.tty ?? false, resolveStatus);
  const closed = new Promise<void>((resolve) => ws.addEventListener('close', () => resolve()));
  const status = await statusReceived;
  await closed;
  return { stdout: stdout.text, stderr: stderr.text, status, protocol: ws.protocol };
}

describe('exec with @kubernetes/client-node 1.4.0', () => {
  it('prints the scenario stdout with {{nowEpoch}} expanded and reports success over v5', async () => {
    const result = await execWithClientNode(BACKEND_POD, 'backend', ['date', '+%s']);
    expect(result.protocol).toBe('v5.channel.k8s.io');
    expect(result.stdout).toBe(`${NOW_EPOCH}\n`);
    expect(result.stderr).toBe('');
    expect(result.status).toEqual({ metadata: {}, status: 'Success' });
  });

  it('reports a non-zero exit code the way the kubelet does', async () => {
    const result = await execWithClientNode(BACKEND_POD, 'backend', ['sh', '-c', 'exit 3']);
    expect(result.stdout).toBe('checking migrations\n');
    expect(result.stderr).toBe('migrations pending: 2\n');
    expect(result.status.status).toBe('Failure');
    expect(result.status.reason).toBe('NonZeroExitCode');
    expect(result.status.details?.causes).toEqual([{ reason: 'ExitCode', message: '3' }]);
    expect(result.status.message).toBe('command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3');
  });

  it('answers a command the scenario does not know with "command not found" and exit code 127', async () => {
    const result = await execWithClientNode(BACKEND_POD, 'backend', ['nvidia-smi']);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('nvidia-smi: command not found');
    expect(result.status.details?.causes).toEqual([{ reason: 'ExitCode', message: '127' }]);
  });

  it('matches a command pattern across spaces and slashes, per container', async () => {
    const psql = ['psql', '-U', 'trafficuser', '-d', 'trafficdb', '-c', 'SELECT query, mean_exec_time FROM pg_stat_statements ORDER BY mean_exec_time DESC LIMIT 5'];
    const result = await execWithClientNode('traffic-system-postgresql-0', 'postgresql', psql);
    expect(result.stdout).toBe(PG_STAT_OUTPUT);
    const sidecar = await execWithClientNode('traffic-system-postgresql-0', 'metrics', ['date', '-u']);
    expect(sidecar.stdout).toBe('metrics-2025-03-01T09:59:00Z\n');
    const wrongContainer = await execWithClientNode('traffic-system-postgresql-0', 'metrics', psql);
    expect(wrongContainer.stderr).toContain('psql: command not found');
  });

  it('speaks v4.channel.k8s.io to a client that offers no v5', async () => {
    const result = await execWithClientNode(BACKEND_POD, 'backend', ['sh', '-c', 'exit 3'], { offeredProtocols: ['v4.channel.k8s.io', 'channel.k8s.io'] });
    expect(result.protocol).toBe('v4.channel.k8s.io');
    expect(result.stderr).toBe('migrations pending: 2\n');
    expect(result.status.details?.causes).toEqual([{ reason: 'ExitCode', message: '3' }]);
  });

  it('serves the base64 variant to a client that asks for it', async () => {
    const ws = new WebSocket(
      `${serverUrl.replace('https', 'wss')}/api/v1/namespaces/${NS}/pods/${BACKEND_POD}/exec?command=date&command=%2B%25s&stdout=true&stderr=true`,
      ['v4.base64.channel.k8s.io'],
      { ca: caPem },
    );
    const frames: string[] = [];
    ws.on('message', (data, isBinary) => {
      expect(isBinary).toBe(false);
      frames.push(data.toString());
    });
    await new Promise<void>((resolve, reject) => {
      ws.on('close', () => resolve());
      ws.on('error', reject);
    });
    expect(ws.protocol).toBe('v4.base64.channel.k8s.io');
    const decoded = frames.map((f) => [f[0], Buffer.from(f.slice(1), 'base64').toString()]);
    expect(decoded).toEqual([
      ['1', ''],
      ['1', `${NOW_EPOCH}\n`],
      ['3', '{"metadata":{},"status":"Success"}'],
    ]);
  });

  it('holds the reply back for the scenario delay', async () => {
    const started = Date.now();
    const result = await execWithClientNode(BACKEND_POD, 'backend', ['python', 'manage.py', 'check', '--deploy']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
    expect(result.stdout).toBe('System check identified no issues (0 silenced).\n');
  });

  it('writes terminal line ends with a tty', async () => {
    const result = await execWithClientNode(BACKEND_POD, 'backend', ['sh', '-c', 'exit 3'], { tty: true });
    expect(result.stdout).toBe('checking migrations\r\nmigrations pending: 2\r\n');
  });

  it('refuses the upgrade for a container that is not running, with the kubelet wording', async () => {
    await expect(execWithClientNode('traffic-system-ml-service-6c9d7-qq8zt', 'ml-service', ['nvidia-smi'])).rejects.toThrow(/400/);
    const refusal = await rejectedUpgrade(`/api/v1/namespaces/${NS}/pods/traffic-system-ml-service-6c9d7-qq8zt/exec?command=nvidia-smi&stdout=true`);
    expect(refusal).toEqual({ status: 400, body: 'container not found ("ml-service")' });
  });

  it('refuses an unknown container and a missing pod like the API server', async () => {
    const badContainer = await rejectedUpgrade(`/api/v1/namespaces/${NS}/pods/${BACKEND_POD}/exec?command=date&container=celery&stdout=true`);
    expect(badContainer.status).toBe(400);
    expect(JSON.parse(badContainer.body)).toMatchObject({ kind: 'Status', reason: 'BadRequest', message: `container celery is not valid for pod ${BACKEND_POD}` });
    const noPod = await rejectedUpgrade(`/api/v1/namespaces/${NS}/pods/traffic-system-backend-gone/exec?command=date&stdout=true`);
    expect(noPod.status).toBe(404);
    expect(JSON.parse(noPod.body)).toMatchObject({ reason: 'NotFound', message: 'pods "traffic-system-backend-gone" not found' });
  });
});

/** Opens a WebSocket that the server is expected to refuse; returns the HTTP answer. */
function rejectedUpgrade(pathAndQuery: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${serverUrl.replace('https', 'wss')}${pathAndQuery}`, ['v5.channel.k8s.io', 'v4.channel.k8s.io'], { ca: caPem });
    ws.on('open', () => reject(new Error('upgrade unexpectedly accepted')));
    ws.on('error', () => undefined);
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
  });
}

// --- kubectl exec ---

function findKubectlFolder(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'kubectl');
    if (existsSync(candidate)) return path.dirname(realpathSync(candidate));
  }
  return undefined;
}

const kubectlFolder = findKubectlFolder();

function runKubectl(
  version: string,
  args: string[],
  env: Record<string, string> = {},
  stdin?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const binary = path.join(kubectlFolder ?? '', `kubectl.${version}`);
  return new Promise((resolve) => {
    const child = execFile(
      binary,
      ['--kubeconfig', kubeconfigPath, '--cache-dir', path.join(workDir, `cache-${version}`), ...args],
      { env: { PATH: process.env.PATH ?? '', HOME: workDir, ...env }, timeout: 20_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(stdin);
  });
}

describe.skipIf(!kubectlFolder)('kubectl exec', () => {
  for (const version of ['1.33', '1.31']) {
    it(`kubectl ${version} (WebSocket v5) prints the expanded reply and exits 0`, async () => {
      const result = await runKubectl(version, ['exec', BACKEND_POD, '-n', NS, '--', 'date', '+%s']);
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe(`${NOW_EPOCH}\n`);
      expect(result.code).toBe(0);
    });

    it(`kubectl ${version} exits with the command's exit code`, async () => {
      const result = await runKubectl(version, ['exec', BACKEND_POD, '-n', NS, '--', 'sh', '-c', 'exit 3']);
      expect(result.stdout).toBe('checking migrations\n');
      expect(result.stderr).toContain('migrations pending: 2');
      expect(result.code).toBe(3);
    });
  }

  it('kubectl 1.33 defaults to the first container of a multi-container pod', async () => {
    const result = await runKubectl('1.33', [
      'exec',
      'traffic-system-postgresql-0',
      '-n',
      NS,
      '--',
      'psql',
      '-U',
      'trafficuser',
      '-d',
      'trafficdb',
      '-c',
      'SELECT query, mean_exec_time FROM pg_stat_statements',
    ]);
    expect(result.stdout).toBe(PG_STAT_OUTPUT);
    expect(result.stderr).toContain('Defaulted container "postgresql" out of: postgresql, metrics');
    expect(result.code).toBe(0);
  });

  it('kubectl 1.33 exec -i sends stdin, closes it with the v5 signal and still gets the reply', async () => {
    const result = await runKubectl('1.33', ['exec', '-i', 'traffic-system-postgresql-0', '-c', 'postgresql', '-n', NS, '--', 'psql', '-c', 'SELECT * FROM pg_stat_statements'], {}, 'SELECT 1;\n');
    expect(result.stdout).toBe(PG_STAT_OUTPUT);
    expect(result.code).toBe(0);
  });

  it('kubectl 1.33 reports a command the container lacks with exit code 127', async () => {
    const result = await runKubectl('1.33', ['exec', BACKEND_POD, '-n', NS, '--', 'nvidia-smi']);
    expect(result.stderr).toContain('nvidia-smi: command not found');
    expect(result.code).toBe(127);
  });

  it('kubectl 1.33 cannot exec into a crash-looping container', async () => {
    const result = await runKubectl('1.33', ['exec', 'traffic-system-ml-service-6c9d7-qq8zt', '-n', NS, '--', 'nvidia-smi']);
    expect(result.stderr).toContain('error: unable to upgrade connection: container not found ("ml-service")');
    expect(result.code).toBe(1);
  });

  it('kubectl 1.29 with KUBECTL_REMOTE_COMMAND_WEBSOCKETS=true execs over WebSocket', async () => {
    const result = await runKubectl('1.29', ['exec', BACKEND_POD, '-n', NS, '--', 'sh', '-c', 'exit 3'], { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'true' });
    expect(result.stdout).toBe('checking migrations\n');
    expect(result.code).toBe(3);
  });

  it('kubectl 1.27 (SPDY only) gets a clear refusal instead of hanging', async () => {
    const result = await runKubectl('1.27', ['exec', BACKEND_POD, '-n', NS, '--', 'date', '+%s']);
    expect(result.stderr).toContain('serves exec over WebSocket only');
    expect(result.code).toBe(1);
  });

  it('kubectl 1.33 port-forward (SPDY tunnelled in WebSocket) is refused with a message saying so', async () => {
    const result = await runKubectl('1.33', ['port-forward', BACKEND_POD, '-n', NS, '0:8000']);
    expect(result.stderr).toContain('serves port-forward over WebSocket only');
    expect(result.code).toBe(1);
  });
});

// --- client-node PortForward, behind a local TCP listener like `kubectl port-forward` ---

interface LocalForward {
  port: number;
  errors: Collector;
  close(): Promise<void>;
}

async function forwardLocalPort(podName: string, podPort: number): Promise<LocalForward> {
  const forward = new PortForward(kc);
  const errors = new Collector();
  const sockets = new Set<net.Socket>();
  const listener = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    forward.portForward(NS, podName, [podPort], socket, errors, socket).then(
      (ws) => {
        const webSocket = ws as WebSocket;
        // The remote end closing ends the local connection too.
        webSocket.addEventListener('close', () => socket.end());
        socket.on('close', () => webSocket.close());
      },
      (error: Error) => socket.destroy(error),
    );
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  return {
    port: (listener.address() as net.AddressInfo).port,
    errors,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
}

function httpRequest(
  port: number,
  requestPath: string,
  options: { method?: string; agent?: http.Agent; body?: string } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: requestPath, method: options.method ?? 'GET', agent: options.agent, headers: options.body ? { 'Content-Type': 'application/json' } : {} },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('port-forward with @kubernetes/client-node 1.4.0', () => {
  it('answers a raw HTTP request written into the tunnel, through the service that selects the pod', async () => {
    const forward = new PortForward(kc);
    const input = new PassThrough();
    const output = new Collector();
    const errors = new Collector();
    const ws = (await forward.portForward(NS, BACKEND_POD, [8000], output, errors, input)) as WebSocket;
    expect(ws.protocol).toBe('v4.channel.k8s.io');
    const closed = new Promise<void>((resolve) => ws.addEventListener('close', () => resolve()));
    input.write('GET /api/v1/health/ HTTP/1.1\r\nHost: localhost:8000\r\nConnection: close\r\n\r\n');
    await closed;
    const [head, body] = output.text.split('\r\n\r\n');
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    expect(head).toContain('Content-Type: application/json');
    expect(head).toContain(`Content-Length: ${Buffer.byteLength(body)}`);
    expect(JSON.parse(body)).toEqual({ status: 'ok', database: 'ok', checkedAt: '2025-03-01T10:00:00Z' });
    expect(errors.text).toBe('');
  });

  it('serves several requests on one kept-alive connection, 404 for unknown paths', async () => {
    const local = await forwardLocalPort(BACKEND_POD, 8000);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const health = await httpRequest(local.port, '/api/v1/health/?verbose=1', { agent });
      expect(health.status).toBe(200);
      const unknown = await httpRequest(local.port, '/api/v1/nothing-here/', { agent });
      expect(unknown).toMatchObject({ status: 404, body: 'not found' });
      const post = await httpRequest(local.port, '/api/v1/detections/', { agent, method: 'POST', body: '{"camera":"cam-12"}' });
      expect(post.status).toBe(503);
      expect(post.headers['retry-after']).toBe('30');
      expect(JSON.parse(post.body)).toEqual({ detail: 'ml-service unavailable' });
    } finally {
      agent.destroy();
      await local.close();
    }
  });

  it('honours the reply delay', async () => {
    const local = await forwardLocalPort(BACKEND_POD, 8000);
    try {
      const started = Date.now();
      const slow = await httpRequest(local.port, '/api/v1/infractions/');
      expect(Date.now() - started).toBeGreaterThanOrEqual(480);
      expect(slow).toMatchObject({ status: 200, body: '{"count":0,"results":[]}' });
    } finally {
      await local.close();
    }
  });

  it('reaches a reply given for a service port whose targetPort is the container port', async () => {
    const local = await forwardLocalPort('traffic-system-prometheus-server-5f7b9-lm2np', 9090);
    try {
      const ready = await httpRequest(local.port, '/-/ready');
      expect(ready).toMatchObject({ status: 200, body: 'Prometheus Server is Ready.\n' });
    } finally {
      await local.close();
    }
  });

  it('reports connection refused on the error channel when nothing listens on the port', async () => {
    for (const [podName, port] of [
      [BACKEND_POD, 1234],
      ['traffic-system-ml-service-6c9d7-qq8zt', 5000],
    ] as const) {
      const forward = new PortForward(kc);
      const output = new Collector();
      const errors = new Collector();
      const ws = (await forward.portForward(NS, podName, [port], output, errors, new PassThrough())) as WebSocket;
      await new Promise<void>((resolve) => ws.addEventListener('close', () => resolve()));
      expect(errors.text).toMatch(new RegExp(`^error forwarding port ${port} to pod [0-9a-f]{64}, uid : failed to execute portforward`));
      expect(errors.text).toContain(`dial tcp4 127.0.0.1:${port}: connect: connection refused`);
      expect(output.text).toBe('');
    }
  });
});
