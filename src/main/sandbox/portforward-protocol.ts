// Pure parts of `pods/<name>/portforward`: the ports query, which scenario HTTP reply answers a
// request that arrives through the tunnel, and the raw HTTP/1.1 the "pod" reads and writes.

import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { isContainerRunning, podContainers, type Parsed } from './exec-protocol';
import { matchesGlob } from './scenario-match';
import type { HttpReply, KubeObject } from './snapshot-types';

/** `ports=8000&ports=9000` or `ports=8000,9000`, as the kubelet reads them. */
export function parsePorts(query: URLSearchParams): Parsed<number[]> {
  const values = [...query.getAll('ports'), ...query.getAll('port')];
  if (values.length === 0) return { ok: false, message: 'query parameter "port" is required' };
  const ports: number[] = [];
  for (const value of values) {
    for (const part of value.split(',')) {
      const text = part.trim();
      const port = /^\d+$/.test(text) ? Number(text) : NaN;
      if (!Number.isInteger(port) || port > 65535) return { ok: false, message: `unable to parse "${text}" as a port` };
      if (port === 0) return { ok: false, message: `port "${text}" must be > 0` };
      ports.push(port);
    }
  }
  return { ok: true, value: ports };
}

interface ServiceShape {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: { selector?: Record<string, string>; ports?: Array<{ port: number; targetPort?: number | string; protocol?: string }> };
}

function selectsPod(service: ServiceShape, pod: KubeObject): boolean {
  const selector = service.spec?.selector ?? {};
  const labels = pod.metadata.labels ?? {};
  const keys = Object.keys(selector);
  return keys.length > 0 && keys.every((key) => labels[key] === selector[key]);
}

/** A service port's targetPort as a container port of this pod (named ports looked up). */
function resolveTargetPort(servicePort: { port: number; targetPort?: number | string }, pod: KubeObject): number | undefined {
  const target = servicePort.targetPort;
  if (target === undefined || target === '') return servicePort.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  for (const container of podContainers(pod)) {
    const named = container.ports?.find((p) => p.name === target && (p.protocol ?? 'TCP') === 'TCP');
    if (named?.containerPort !== undefined) return named.containerPort;
  }
  return undefined;
}

/**
 * Whether a scenario entry is about this pod's container port: named by pod glob, or by a
 * service that selects the pod where either the entry's port is the container port or it is
 * a service port whose targetPort leads to it (kubectl port-forward svc/x resolves it so).
 */
export function replyTargetsPodPort(reply: HttpReply, pod: KubeObject, port: number, objects: KubeObject[]): boolean {
  const namespace = pod.metadata.namespace ?? 'default';
  if (reply.namespace !== undefined && reply.namespace !== namespace) return false;
  if (reply.pod !== undefined && !matchesGlob(reply.pod, pod.metadata.name)) return false;
  if (reply.service === undefined) return reply.port === port;
  const service = objects.find(
    (o) => o.kind === 'Service' && o.metadata.name === reply.service && (o.metadata.namespace ?? 'default') === namespace,
  ) as ServiceShape | undefined;
  if (!service || !selectsPod(service, pod)) return false;
  if (reply.port === port) return true;
  return (service.spec?.ports ?? []).some(
    (sp) => sp.port === reply.port && (sp.protocol ?? 'TCP') === 'TCP' && resolveTargetPort(sp, pod) === port,
  );
}

export function findHttpReply(
  replies: HttpReply[],
  pod: KubeObject,
  port: number,
  request: { method: string; path: string },
  objects: KubeObject[],
): HttpReply | undefined {
  const path = withoutQuery(request.path);
  const method = request.method.toUpperCase();
  const matchesRequest = (reply: HttpReply, wanted: string) =>
    (reply.method || 'GET').toUpperCase() === wanted && withoutQuery(reply.path) === path;
  const candidates = replies.filter((reply) => replyTargetsPodPort(reply, pod, port, objects));
  return (
    candidates.find((reply) => matchesRequest(reply, method)) ??
    (method === 'HEAD' ? candidates.find((reply) => matchesRequest(reply, 'GET')) : undefined)
  );
}

function withoutQuery(path: string): string {
  const index = path.indexOf('?');
  return index === -1 ? path : path.slice(0, index);
}

/**
 * Something listens on the port when a running container declares it, or when the scenario
 * gives HTTP replies for it (many charts leave containerPort out).
 */
export function isPortListening(pod: KubeObject, port: number, replies: HttpReply[], objects: KubeObject[]): boolean {
  const running = podContainers(pod).filter((c) => isContainerRunning(pod, c.name));
  if (running.length === 0) return false;
  if (running.some((c) => c.ports?.some((p) => p.containerPort === port && (p.protocol ?? 'TCP') === 'TCP'))) return true;
  return replies.some((reply) => replyTargetsPodPort(reply, pod, port, objects));
}

/** The kubelet's message (containerd) when nothing accepts the connection inside the pod. */
export function connectionRefusedMessage(pod: KubeObject, port: number): string {
  const seed = `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}/${pod.metadata.uid ?? ''}`;
  const sandboxId = createHash('sha256').update(`sandbox:${seed}`).digest('hex');
  const netns = createHash('sha256').update(`netns:${seed}`).digest('hex');
  const netnsId = `${netns.slice(0, 8)}-${netns.slice(8, 12)}-${netns.slice(12, 16)}-${netns.slice(16, 20)}-${netns.slice(20, 32)}`;
  return (
    `error forwarding port ${port} to pod ${sandboxId}, uid : failed to execute portforward in network namespace ` +
    `"/var/run/netns/cni-${netnsId}": failed to connect to localhost:${port} inside namespace "${sandboxId}", ` +
    `IPv4: dial tcp4 127.0.0.1:${port}: connect: connection refused ` +
    `IPv6 dial tcp6 [::1]:${port}: connect: connection refused `
  );
}

export interface HttpRequest {
  method: string;
  /** Request target as sent, query included. */
  path: string;
  version: string;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  keepAlive: boolean;
}

export class HttpParseError extends Error {}

const MAX_HEAD_BYTES = 64 * 1024;
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Reads HTTP/1.x requests from a byte stream; several may arrive on one connection. */
export class HttpRequestReader {
  private buffer = Buffer.alloc(0);

  /** Adds bytes and returns the requests that are now complete. Throws HttpParseError. */
  push(chunk: Buffer): HttpRequest[] {
    this.buffer = this.buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffer, chunk]);
    const requests: HttpRequest[] = [];
    for (;;) {
      // Stray CRLFs between requests are allowed (RFC 9112 §2.2).
      let start = 0;
      while (this.buffer[start] === 0x0d || this.buffer[start] === 0x0a) start++;
      if (start > 0) this.buffer = this.buffer.subarray(start);
      const request = this.readOne();
      if (!request) return requests;
      requests.push(request);
    }
  }

  private readOne(): HttpRequest | undefined {
    const headEnd = this.buffer.indexOf('\r\n\r\n');
    if (headEnd === -1) {
      if (this.buffer.length > MAX_HEAD_BYTES) throw new HttpParseError('request header too large');
      return undefined;
    }
    const lines = this.buffer.subarray(0, headEnd).toString('latin1').split('\r\n');
    const requestLine = /^([A-Za-z]+) (\S+) HTTP\/(1\.[01])$/.exec(lines[0]);
    if (!requestLine) throw new HttpParseError(`malformed request line: ${lines[0].slice(0, 80)}`);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new HttpParseError(`malformed header line: ${line.slice(0, 80)}`);
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    const bodyStart = headEnd + 4;
    let body: Buffer;
    let consumed: number;
    if (/\bchunked\b/i.test(headers['transfer-encoding'] ?? '')) {
      const chunked = readChunkedBody(this.buffer, bodyStart);
      if (!chunked) return undefined;
      ({ body, consumed } = chunked);
    } else {
      const lengthText = headers['content-length'] ?? '0';
      if (!/^\d+$/.test(lengthText)) throw new HttpParseError(`invalid content-length: ${lengthText}`);
      const length = Number(lengthText);
      if (length > MAX_BODY_BYTES) throw new HttpParseError('request body too large');
      if (this.buffer.length < bodyStart + length) return undefined;
      body = Buffer.from(this.buffer.subarray(bodyStart, bodyStart + length));
      consumed = bodyStart + length;
    }
    this.buffer = this.buffer.subarray(consumed);
    const version = requestLine[3];
    const connection = (headers.connection ?? '').toLowerCase();
    const keepAlive = version === '1.1' ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection);
    return { method: requestLine[1].toUpperCase(), path: requestLine[2], version, headers, body, keepAlive };
  }
}

function readChunkedBody(buffer: Buffer, start: number): { body: Buffer; consumed: number } | undefined {
  const parts: Buffer[] = [];
  let offset = start;
  let total = 0;
  for (;;) {
    const lineEnd = buffer.indexOf('\r\n', offset);
    if (lineEnd === -1) return undefined;
    const sizeText = buffer.subarray(offset, lineEnd).toString('latin1').split(';')[0].trim();
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw new HttpParseError(`invalid chunk size: ${sizeText.slice(0, 20)}`);
    const size = parseInt(sizeText, 16);
    total += size;
    if (total > MAX_BODY_BYTES) throw new HttpParseError('request body too large');
    if (size === 0) {
      // Trailers (usually none) end with an empty line.
      const trailerEnd = buffer.indexOf('\r\n\r\n', lineEnd);
      if (trailerEnd === lineEnd) return { body: Buffer.concat(parts), consumed: lineEnd + 4 };
      if (trailerEnd === -1) return undefined;
      return { body: Buffer.concat(parts), consumed: trailerEnd + 4 };
    }
    const dataStart = lineEnd + 2;
    if (buffer.length < dataStart + size + 2) return undefined;
    parts.push(buffer.subarray(dataStart, dataStart + size));
    offset = dataStart + size + 2;
  }
}

export interface HttpResponseParts {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
  /** HEAD: headers as for GET, no body bytes. */
  omitBody?: boolean;
  keepAlive: boolean;
  date: Date;
}

const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection']);

export function buildHttpResponse(parts: HttpResponseParts): Buffer {
  const body = typeof parts.body === 'string' ? Buffer.from(parts.body, 'utf8') : parts.body;
  const reason = STATUS_CODES[parts.status] ?? 'Unknown';
  const lines = [`HTTP/1.1 ${parts.status} ${reason}`];
  const names = new Set<string>();
  for (const [name, value] of Object.entries(parts.headers)) {
    const lower = name.toLowerCase();
    names.add(lower);
    if (FRAMING_HEADERS.has(lower)) continue;
    lines.push(`${name}: ${value.replace(/[\r\n]+/g, ' ')}`);
  }
  if (!names.has('date')) lines.push(`Date: ${parts.date.toUTCString()}`);
  lines.push(`Content-Length: ${body.length}`);
  lines.push(`Connection: ${parts.keepAlive ? 'keep-alive' : 'close'}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8');
  return parts.omitBody ? head : Buffer.concat([head, body]);
}
