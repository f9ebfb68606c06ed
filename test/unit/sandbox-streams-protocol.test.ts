import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, offeredProtocols, selectExecProtocol, selectPortForwardProtocol } from '../../src/main/sandbox/channel-protocol';
import {
  commandNotFoundReply,
  exitStatus,
  isContainerRunning,
  parseExecOptions,
  resolveExecContainer,
  toTerminalText,
} from '../../src/main/sandbox/exec-protocol';
import {
  HttpParseError,
  HttpRequestReader,
  buildHttpResponse,
  connectionRefusedMessage,
  findHttpReply,
  isPortListening,
  parsePorts,
} from '../../src/main/sandbox/portforward-protocol';
import type { HttpReply, KubeObject } from '../../src/main/sandbox/snapshot-types';

const CLIENT_NODE_OFFER = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];

describe('channel subprotocols', () => {
  it('picks the best exec protocol the client offers, whatever the order', () => {
    expect(selectExecProtocol(CLIENT_NODE_OFFER)?.name).toBe('v5.channel.k8s.io');
    expect(selectExecProtocol(['channel.k8s.io', 'v4.channel.k8s.io'])?.name).toBe('v4.channel.k8s.io');
    expect(selectExecProtocol(['base64.channel.k8s.io'])?.encoding).toBe('base64');
    expect(selectExecProtocol([])?.name).toBe('');
    expect(selectExecProtocol(['SPDY/3.1+portforward.k8s.io'])).toBeUndefined();
  });

  it('answers port-forward with v4 as the kubelet does, even when v5 is offered', () => {
    expect(selectPortForwardProtocol(CLIENT_NODE_OFFER)?.name).toBe('v4.channel.k8s.io');
    expect(selectPortForwardProtocol(['v5.channel.k8s.io'])).toBeUndefined();
  });

  it('reads the Sec-WebSocket-Protocol header list', () => {
    expect(offeredProtocols('v5.channel.k8s.io, v4.channel.k8s.io')).toEqual(['v5.channel.k8s.io', 'v4.channel.k8s.io']);
    expect(offeredProtocols(undefined)).toEqual([]);
  });

  it('frames binary and base64 messages with the channel first', () => {
    const binary = selectExecProtocol(['v4.channel.k8s.io'])!;
    const frame = encodeFrame(binary, 2, Buffer.from('oops'));
    expect(frame).toEqual(Buffer.from([2, ...Buffer.from('oops')]));
    expect(decodeFrame(binary, frame as Buffer, true)).toEqual({ channel: 2, payload: Buffer.from('oops') });

    const base64 = selectExecProtocol(['v4.base64.channel.k8s.io'])!;
    const text = encodeFrame(base64, 1, Buffer.from('1740823200\n'));
    expect(text).toBe(`1${Buffer.from('1740823200\n').toString('base64')}`);
    expect(decodeFrame(base64, Buffer.from(text as string), false)?.payload.toString()).toBe('1740823200\n');
    expect(decodeFrame(binary, Buffer.alloc(0), true)).toBeUndefined();
  });
});

function pod(containers: Array<{ name: string; ports?: Array<{ name?: string; containerPort: number }> }>, states: Record<string, object>, extra: object = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'traffic-system-backend-abc', namespace: 'traffic-system', labels: { app: 'backend' } },
    spec: { nodeName: 'node-1', containers },
    status: { phase: 'Running', containerStatuses: Object.entries(states).map(([name, state]) => ({ name, state })) },
    ...extra,
  };
}

describe('exec options and outcome', () => {
  it('reads repeated command arguments and flags', () => {
    const parsed = parseExecOptions(new URLSearchParams('command=sh&command=-c&command=echo%20hi&container=backend&stdout=true&stderr=1'));
    expect(parsed).toEqual({ ok: true, value: { command: ['sh', '-c', 'echo hi'], container: 'backend', stdin: false, stdout: true, stderr: true, tty: false } });
  });

  it('rejects what the API server and kubelet reject, and drops stderr with a tty', () => {
    expect(parseExecOptions(new URLSearchParams('stdout=true'))).toMatchObject({ ok: false, message: 'you must specify at least one command for the container' });
    expect(parseExecOptions(new URLSearchParams('command=date'))).toMatchObject({ ok: false, message: 'you must specify at least 1 of stdin, stdout, stderr' });
    const tty = parseExecOptions(new URLSearchParams('command=bash&stdin=true&stdout=true&stderr=true&tty=true'));
    expect(tty.ok && tty.value.stderr).toBe(false);
  });

  it('writes the kubelet Status for success and for a non-zero exit code', () => {
    expect(JSON.stringify(exitStatus(['date'], 0))).toBe('{"metadata":{},"status":"Success"}');
    expect(exitStatus(['pg_isready', '-h', 'localhost'], 2)).toEqual({
      metadata: {},
      status: 'Failure',
      message: 'command terminated with non-zero exit code: error executing command [pg_isready -h localhost], exit code 2',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '2' }] },
    });
  });

  it('defaults to the only container and asks for a name when there are several', () => {
    const single = pod([{ name: 'backend' }], { backend: { running: {} } });
    expect(resolveExecContainer(single, '')).toEqual({ ok: true, value: 'backend' });
    expect(resolveExecContainer(single, 'celery')).toEqual({ ok: false, message: 'container celery is not valid for pod traffic-system-backend-abc' });
    const two = pod([{ name: 'postgresql' }, { name: 'metrics' }], {});
    expect(resolveExecContainer(two, '')).toEqual({
      ok: false,
      message: 'a container name must be specified for pod traffic-system-backend-abc, choose one of: [postgresql metrics]',
    });
    expect(resolveExecContainer(two, 'metrics')).toEqual({ ok: true, value: 'metrics' });
  });

  it('knows a crash-looping container is not running', () => {
    const crashing = pod([{ name: 'ml-service' }, { name: 'sidecar' }], { 'ml-service': { waiting: { reason: 'CrashLoopBackOff' } }, sidecar: { running: {} } });
    expect(isContainerRunning(crashing, 'ml-service')).toBe(false);
    expect(isContainerRunning(crashing, 'sidecar')).toBe(true);
    const noStatuses = { ...crashing, status: { phase: 'Pending' } };
    expect(isContainerRunning(noStatuses, 'sidecar')).toBe(false);
  });

  it('says "command not found" the way a shell would', () => {
    expect(commandNotFoundReply(['nvidia-smi'])).toEqual({ stdout: '', stderr: 'nvidia-smi: command not found\n', exitCode: 127 });
    expect(commandNotFoundReply(['/bin/bash', '-c', 'mc admin info local'])).toMatchObject({ stderr: 'bash: line 1: mc: command not found\n' });
    expect(toTerminalText('a\nb\r\n')).toBe('a\r\nb\r\n');
  });
});

describe('port-forward ports and replies', () => {
  it('reads ports like the kubelet', () => {
    expect(parsePorts(new URLSearchParams('ports=8000&ports=9000,9090'))).toEqual({ ok: true, value: [8000, 9000, 9090] });
    expect(parsePorts(new URLSearchParams(''))).toMatchObject({ ok: false });
    expect(parsePorts(new URLSearchParams('ports=http'))).toMatchObject({ ok: false, message: 'unable to parse "http" as a port' });
    expect(parsePorts(new URLSearchParams('ports=0'))).toMatchObject({ ok: false });
  });

  const backend = pod([{ name: 'backend', ports: [{ name: 'http', containerPort: 8000 }] }], { backend: { running: {} } });
  const service: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'traffic-system-backend', namespace: 'traffic-system' },
    spec: { selector: { app: 'backend' }, ports: [{ port: 80, targetPort: 'http' }] },
  };
  const health: HttpReply = {
    service: 'traffic-system-backend',
    port: 80,
    method: 'GET',
    path: '/api/v1/health/',
    status: 200,
    headers: {},
    body: 'ok',
    delayMs: 0,
  };

  it('finds a reply given for the service port when forwarding to the container port it targets', () => {
    expect(findHttpReply([health], backend, 8000, { method: 'GET', path: '/api/v1/health/?full=1' }, [service])).toBe(health);
    expect(findHttpReply([health], backend, 8000, { method: 'HEAD', path: '/api/v1/health/' }, [service])).toBe(health);
    expect(findHttpReply([health], backend, 8000, { method: 'POST', path: '/api/v1/health/' }, [service])).toBeUndefined();
    expect(findHttpReply([health], backend, 8000, { method: 'GET', path: '/api/v1/health' }, [service])).toBeUndefined();
    expect(findHttpReply([health], backend, 8001, { method: 'GET', path: '/api/v1/health/' }, [service])).toBeUndefined();
    // Without the service object, nothing ties the reply to the pod.
    expect(findHttpReply([health], backend, 8000, { method: 'GET', path: '/api/v1/health/' }, [])).toBeUndefined();
    const otherNamespace = { ...health, namespace: 'monitoring' };
    expect(findHttpReply([otherNamespace], backend, 8000, { method: 'GET', path: '/api/v1/health/' }, [service])).toBeUndefined();
  });

  it('treats a port as listening when a running container declares it or the scenario answers on it', () => {
    expect(isPortListening(backend, 8000, [], [])).toBe(true);
    expect(isPortListening(backend, 9000, [], [])).toBe(false);
    expect(isPortListening(backend, 9000, [{ ...health, service: undefined, pod: 'traffic-system-backend-*', port: 9000 }], [])).toBe(true);
    const crashing = pod([{ name: 'backend', ports: [{ containerPort: 8000 }] }], { backend: { waiting: { reason: 'CrashLoopBackOff' } } });
    expect(isPortListening(crashing, 8000, [], [])).toBe(false);
  });

  it('words connection refused like containerd, stable for one pod', () => {
    const message = connectionRefusedMessage(backend, 1234);
    expect(message).toMatch(/^error forwarding port 1234 to pod [0-9a-f]{64}, uid : failed to execute portforward in network namespace "\/var\/run\/netns\/cni-[0-9a-f-]{36}"/);
    expect(message).toContain('dial tcp4 127.0.0.1:1234: connect: connection refused');
    expect(connectionRefusedMessage(backend, 1234)).toBe(message);
  });
});

describe('HTTP inside the tunnel', () => {
  it('reads a request split across chunks, then a pipelined one', () => {
    const reader = new HttpRequestReader();
    expect(reader.push(Buffer.from('POST /api/v1/detections/ HTTP/1.1\r\nHost: x\r\nContent-Le'))).toEqual([]);
    expect(reader.push(Buffer.from('ngth: 5\r\n\r\nab'))).toEqual([]);
    const requests = reader.push(Buffer.from('cdeGET /metrics HTTP/1.1\r\nConnection: close\r\n\r\n'));
    expect(requests.map((r) => [r.method, r.path, r.body.toString(), r.keepAlive])).toEqual([
      ['POST', '/api/v1/detections/', 'abcde', true],
      ['GET', '/metrics', '', false],
    ]);
  });

  it('reads a chunked body and HTTP/1.0 connection defaults', () => {
    const reader = new HttpRequestReader();
    const [request] = reader.push(Buffer.from('PUT /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n'));
    expect(request.body.toString()).toBe('abcde');
    const [old] = new HttpRequestReader().push(Buffer.from('GET / HTTP/1.0\r\n\r\n'));
    expect(old.keepAlive).toBe(false);
  });

  it('throws on something that is not HTTP', () => {
    expect(() => new HttpRequestReader().push(Buffer.from('\x16\x03\x01 TLS hello\r\n\r\n'))).toThrow(HttpParseError);
  });

  it('writes a response with its own framing headers', () => {
    const response = buildHttpResponse({
      status: 503,
      headers: { 'Content-Type': 'application/json', 'content-length': '999', 'Retry-After': '30' },
      body: '{"detail":"ñ"}',
      keepAlive: true,
      date: new Date('2025-03-01T10:00:00Z'),
    }).toString('utf8');
    expect(response).toBe(
      'HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 30\r\nDate: Sat, 01 Mar 2025 10:00:00 GMT\r\n' +
        'Content-Length: 15\r\nConnection: keep-alive\r\n\r\n{"detail":"ñ"}',
    );
    const head = buildHttpResponse({ status: 200, headers: {}, body: 'ok', omitBody: true, keepAlive: false, date: new Date(0) }).toString();
    expect(head.endsWith('Content-Length: 2\r\nConnection: close\r\n\r\n')).toBe(true);
  });
});
