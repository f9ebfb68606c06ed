// The sandbox's streaming subresources, `pods/<name>/exec` and `pods/<name>/portforward`, over
// WebSocket as the API server and kubelet serve them. The HTTP server authenticates and
// authorizes the upgrade request, then hands the socket here.

import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  ERROR_CHANNEL,
  STDERR_CHANNEL,
  STDOUT_CHANNEL,
  decodeFrame,
  encodeFrame,
  offeredProtocols,
  selectExecProtocol,
  selectPortForwardProtocol,
  type ChannelProtocol,
} from './channel-protocol';
import {
  commandNotFoundReply,
  exitStatus,
  isContainerRunning,
  parseExecOptions,
  resolveExecContainer,
  toTerminalText,
  type ExecOptions,
} from './exec-protocol';
import {
  HttpParseError,
  HttpRequestReader,
  buildHttpResponse,
  connectionRefusedMessage,
  findHttpReply,
  isPortListening,
  parsePorts,
  type HttpRequest,
} from './portforward-protocol';
import { findExecReply } from './scenario-match';
import type { KubeObject, Scenario } from './snapshot-types';
import { expandTemplates } from './templates';

export interface StreamContext {
  scenario: Scenario;
  findPod(namespace: string, name: string): KubeObject | undefined;
  listObjects(): KubeObject[];
  now(): Date;
}

export interface StreamTarget {
  namespace: string;
  pod: string;
}

// The kubelet writes process output in chunks of this size; clients expect several frames.
const FRAME_PAYLOAD_BYTES = 32 * 1024;

// One server per endpoint: each answers the subprotocol negotiation with its own list.
const execSockets = new WebSocketServer({
  noServer: true,
  clientTracking: false,
  perMessageDeflate: false,
  handleProtocols: (protocols) => selectExecProtocol(protocols)?.name || false,
});
const portForwardSockets = new WebSocketServer({
  noServer: true,
  clientTracking: false,
  perMessageDeflate: false,
  handleProtocols: (protocols) => selectPortForwardProtocol(protocols)?.name || false,
});

export function handleExecUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, ctx: StreamContext, target: StreamTarget): void {
  // Pod and container first: kubectl retries a refused WebSocket over SPDY and shows the
  // answer to that second request, which must carry the same reason.
  const options = parseExecOptions(new URL(req.url ?? '/', 'http://sandbox').searchParams);
  if (!options.ok) return rejectWithStatus(socket, 400, 'BadRequest', options.message);
  const pod = ctx.findPod(target.namespace, target.pod);
  if (!pod) return rejectPodNotFound(socket, target.pod);
  if (!podNodeName(pod)) return rejectWithStatus(socket, 400, 'BadRequest', `pod ${target.pod} does not have a host assigned`);
  const container = resolveExecContainer(pod, options.value.container);
  if (!container.ok) return rejectWithStatus(socket, 400, 'BadRequest', container.message);
  // The kubelet looks among running containers only and answers in plain text, which kubectl
  // shows as `error: unable to upgrade connection: container not found ("backend")`.
  if (!isContainerRunning(pod, container.value)) {
    return rejectWithText(socket, 400, `container not found ("${container.value}")`);
  }
  const transportProblem = checkWebSocketUpgrade(req, 'exec');
  if (transportProblem) return rejectWithStatus(socket, 400, 'BadRequest', transportProblem);
  const protocol = selectExecProtocol(offeredProtocols(req.headers['sec-websocket-protocol']));
  if (!protocol) return rejectWithStatus(socket, 400, 'BadRequest', unsupportedProtocolMessage(req, 'exec'));

  execSockets.handleUpgrade(req, socket, head, (ws) => {
    runExecSession(ws, protocol, ctx, {
      namespace: target.namespace,
      pod: target.pod,
      container: container.value,
      options: options.value,
    });
  });
}

export function handlePortForwardUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  ctx: StreamContext,
  target: StreamTarget,
): void {
  const pod = ctx.findPod(target.namespace, target.pod);
  if (!pod) return rejectPodNotFound(socket, target.pod);
  if (!podNodeName(pod)) return rejectWithStatus(socket, 400, 'BadRequest', `pod ${target.pod} does not have a host assigned`);
  // Transport before ports: kubectl's SPDY port-forward names its ports in stream headers.
  const transportProblem = checkWebSocketUpgrade(req, 'portforward');
  if (transportProblem) return rejectWithStatus(socket, 400, 'BadRequest', transportProblem);
  const protocol = selectPortForwardProtocol(offeredProtocols(req.headers['sec-websocket-protocol']));
  if (!protocol) return rejectWithStatus(socket, 400, 'BadRequest', unsupportedProtocolMessage(req, 'portforward'));
  const ports = parsePorts(new URL(req.url ?? '/', 'http://sandbox').searchParams);
  if (!ports.ok) return rejectWithStatus(socket, 400, 'BadRequest', ports.message);

  portForwardSockets.handleUpgrade(req, socket, head, (ws) => {
    runPortForwardSession(ws, protocol, ctx, pod, ports.value);
  });
}

interface ExecSession {
  namespace: string;
  pod: string;
  container: string;
  options: ExecOptions;
}

function runExecSession(ws: WebSocket, protocol: ChannelProtocol, ctx: StreamContext, session: ExecSession): void {
  const { options } = session;
  const send = (channel: number, payload: Buffer) => {
    if (ws.readyState === ws.OPEN) ws.send(encodeFrame(protocol, channel, payload));
  };
  const sendOutput = (channel: number, text: string) => {
    const bytes = Buffer.from(text, 'utf8');
    for (let offset = 0; offset < bytes.length; offset += FRAME_PAYLOAD_BYTES) {
      send(channel, bytes.subarray(offset, offset + FRAME_PAYLOAD_BYTES));
    }
  };

  // Like the API server: an empty frame on the lowest writable channel tells the client the
  // stream is established.
  send(options.stdout ? STDOUT_CHANNEL : options.stderr ? STDERR_CHANNEL : ERROR_CHANNEL, Buffer.alloc(0));

  // Canned replies do not read stdin: stdin, resize and the v5 close signal are read and dropped.
  ws.on('error', () => ws.terminate());

  const reply = findExecReply(ctx.scenario, {
    namespace: session.namespace,
    pod: session.pod,
    container: session.container,
    command: options.command,
  });
  const result = reply ?? commandNotFoundReply(options.command);
  const timer = setTimeout(() => {
    const now = ctx.now();
    const stdout = expandTemplates(result.stdout, now);
    const stderr = expandTemplates(result.stderr, now);
    if (options.tty) {
      // One terminal: stderr arrives on stdout, with CRLF line ends.
      if (options.stdout) sendOutput(STDOUT_CHANNEL, toTerminalText(stdout + stderr));
    } else {
      if (options.stdout && stdout) sendOutput(STDOUT_CHANNEL, stdout);
      if (options.stderr && stderr) sendOutput(STDERR_CHANNEL, stderr);
    }
    const status = exitStatus(options.command, result.exitCode);
    if (protocol.status === 'json') send(ERROR_CHANNEL, Buffer.from(JSON.stringify(status), 'utf8'));
    else if (status.status !== 'Success') send(ERROR_CHANNEL, Buffer.from(status.message ?? '', 'utf8'));
    if (ws.readyState === ws.OPEN) ws.close(1000);
  }, reply?.delayMs ?? 0);
  ws.on('close', () => clearTimeout(timer));
}

interface ForwardedPort {
  port: number;
  dataChannel: number;
  errorChannel: number;
  reader: HttpRequestReader;
  /** Responses leave in request order even when delays differ. */
  queue: Promise<void>;
  closed: boolean;
}

/**
 * Each forwarded port is one TCP connection into the pod: the client writes raw HTTP on the
 * data channel and the "pod" answers from the scenario's HTTP replies. The connection ends
 * when the request says `Connection: close`; the WebSocket closes when every port has ended.
 */
function runPortForwardSession(ws: WebSocket, protocol: ChannelProtocol, ctx: StreamContext, pod: KubeObject, portNumbers: number[]): void {
  const send = (channel: number, payload: Buffer) => {
    if (ws.readyState === ws.OPEN) ws.send(encodeFrame(protocol, channel, payload));
  };
  const timers = new Set<NodeJS.Timeout>();
  const ports: ForwardedPort[] = portNumbers.map((port, index) => ({
    port,
    dataChannel: index * 2,
    errorChannel: index * 2 + 1,
    reader: new HttpRequestReader(),
    queue: Promise.resolve(),
    closed: false,
  }));
  const closePort = (forwarded: ForwardedPort) => {
    forwarded.closed = true;
    if (ports.every((p) => p.closed) && ws.readyState === ws.OPEN) ws.close(1000);
  };

  // The kubelet starts every channel with the port number, 16-bit little-endian.
  for (const forwarded of ports) {
    const portBytes = Buffer.alloc(2);
    portBytes.writeUInt16LE(forwarded.port);
    send(forwarded.dataChannel, portBytes);
    send(forwarded.errorChannel, portBytes);
  }
  for (const forwarded of ports) {
    if (!isPortListening(pod, forwarded.port, ctx.scenario.http, ctx.listObjects())) {
      send(forwarded.errorChannel, Buffer.from(connectionRefusedMessage(pod, forwarded.port), 'utf8'));
      closePort(forwarded);
    }
  }

  const answer = (forwarded: ForwardedPort, request: HttpRequest) => {
    const reply = findHttpReply(ctx.scenario.http, pod, forwarded.port, request, ctx.listObjects());
    const respond = () => {
      if (forwarded.closed) return;
      if (reply?.reset) {
        // The process behind the port closed the connection without answering.
        send(forwarded.errorChannel, Buffer.from(connectionRefusedMessage(pod, forwarded.port), 'utf8'));
        closePort(forwarded);
        return;
      }
      const now = ctx.now();
      const response = reply
        ? buildHttpResponse({
            status: reply.status,
            headers: reply.headers,
            body: expandTemplates(reply.body, now),
            omitBody: request.method === 'HEAD',
            keepAlive: request.keepAlive,
            date: now,
          })
        : buildHttpResponse({
            status: 404,
            headers: { 'Content-Type': 'text/plain; charset=utf-8' },
            body: 'not found',
            omitBody: request.method === 'HEAD',
            keepAlive: request.keepAlive,
            date: now,
          });
      send(forwarded.dataChannel, response);
      if (!request.keepAlive) closePort(forwarded);
    };
    const delayMs = reply?.delayMs ?? 0;
    forwarded.queue = forwarded.queue.then(
      () =>
        new Promise<void>((resolve) => {
          if (delayMs <= 0) {
            respond();
            return resolve();
          }
          const timer = setTimeout(() => {
            timers.delete(timer);
            respond();
            resolve();
          }, delayMs);
          timers.add(timer);
        }),
    );
  };

  ws.on('message', (data: RawData, isBinary: boolean) => {
    const frame = decodeFrame(protocol, toBuffer(data), isBinary);
    if (!frame) return;
    const forwarded = ports.find((p) => p.dataChannel === frame.channel);
    if (!forwarded || forwarded.closed) return;
    let requests: HttpRequest[];
    try {
      requests = forwarded.reader.push(frame.payload);
    } catch (error) {
      if (!(error instanceof HttpParseError)) throw error;
      const badRequest = buildHttpResponse({
        status: 400,
        headers: { 'Content-Type': 'text/plain; charset=utf-8' },
        body: `bad request: ${error.message}`,
        keepAlive: false,
        date: ctx.now(),
      });
      forwarded.queue = forwarded.queue.then(() => {
        if (forwarded.closed) return;
        send(forwarded.dataChannel, badRequest);
        closePort(forwarded);
      });
      return;
    }
    for (const request of requests) answer(forwarded, request);
  });
  ws.on('error', () => ws.terminate());
  ws.on('close', () => {
    for (const timer of timers) clearTimeout(timer);
    for (const forwarded of ports) forwarded.closed = true;
  });
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function podNodeName(pod: KubeObject): string | undefined {
  return (pod.spec as { nodeName?: string } | undefined)?.nodeName;
}

function checkWebSocketUpgrade(req: IncomingMessage, subresource: 'exec' | 'portforward'): string | undefined {
  const upgrade = (req.headers.upgrade ?? '').toLowerCase();
  if (upgrade === 'websocket') return undefined;
  if (upgrade.startsWith('spdy/')) {
    return subresource === 'exec'
      ? 'the Roadside sandbox serves exec over WebSocket only (v5.channel.k8s.io, v4.channel.k8s.io), not SPDY: use kubectl 1.30 or newer'
      : 'the Roadside sandbox serves port-forward over WebSocket only (v4.channel.k8s.io), not SPDY: use Roadside or @kubernetes/client-node to forward ports';
  }
  return 'Upgrade request required';
}

function unsupportedProtocolMessage(req: IncomingMessage, subresource: 'exec' | 'portforward'): string {
  const offered = offeredProtocols(req.headers['sec-websocket-protocol']);
  if (offered.some((p) => p.toLowerCase().startsWith('spdy/'))) {
    // kubectl 1.31+ port-forward tunnels SPDY inside the WebSocket.
    return `the Roadside sandbox does not tunnel SPDY over WebSocket (offered: ${offered.join(', ')}); ${subresource} is served with the channel.k8s.io protocols`;
  }
  return `none of the offered WebSocket subprotocols is supported for ${subresource}: ${offered.join(', ')}`;
}

function rejectPodNotFound(socket: Duplex, name: string): void {
  rejectWithStatus(socket, 404, 'NotFound', `pods "${name}" not found`, { name, kind: 'pods' });
}

function rejectWithStatus(
  socket: Duplex,
  code: number,
  reason: string,
  message: string,
  details?: Record<string, string>,
): void {
  const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
  writeRejection(socket, code, 'application/json', JSON.stringify(status));
}

function rejectWithText(socket: Duplex, code: number, text: string): void {
  writeRejection(socket, code, 'text/plain; charset=utf-8', text);
}

function writeRejection(socket: Duplex, code: number, contentType: string, body: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const bytes = Buffer.from(body, 'utf8');
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${code} ${STATUS_CODES[code] ?? ''}\r\n` +
      `Content-Type: ${contentType}\r\nContent-Length: ${bytes.length}\r\nConnection: close\r\n\r\n${bytes.toString('utf8')}`,
  );
}
