// The Kubernetes "channel" WebSocket subprotocols used by exec, attach and port-forward
// (k8s.io/apiserver wsstream): every message starts with a channel number, binary or base64.

export const STDIN_CHANNEL = 0;
export const STDOUT_CHANNEL = 1;
export const STDERR_CHANNEL = 2;
export const ERROR_CHANNEL = 3;
export const RESIZE_CHANNEL = 4;
/** v5 only: a client message `[255, n]` means "channel n is closed" (stdin EOF). */
export const CLOSE_SIGNAL = 255;

export interface ChannelProtocol {
  /** The Sec-WebSocket-Protocol value, or '' when the client offered none. */
  name: string;
  /** base64 protocols send text messages: channel as an ASCII digit, payload base64. */
  encoding: 'binary' | 'base64';
  /** v4+ write a JSON metav1.Status on the error channel; older ones write plain text. */
  status: 'json' | 'text';
  /** v5 lets the client close stdin without closing the socket. */
  closeSignal: boolean;
}

const EXEC_PROTOCOLS: ChannelProtocol[] = [
  { name: 'v5.channel.k8s.io', encoding: 'binary', status: 'json', closeSignal: true },
  { name: 'v4.channel.k8s.io', encoding: 'binary', status: 'json', closeSignal: false },
  { name: 'v4.base64.channel.k8s.io', encoding: 'base64', status: 'json', closeSignal: false },
  { name: 'v3.channel.k8s.io', encoding: 'binary', status: 'text', closeSignal: false },
  { name: 'v2.channel.k8s.io', encoding: 'binary', status: 'text', closeSignal: false },
  { name: 'channel.k8s.io', encoding: 'binary', status: 'text', closeSignal: false },
  { name: 'base64.channel.k8s.io', encoding: 'base64', status: 'text', closeSignal: false },
];

// The kubelet's port-forward endpoint knows only these (pkg/kubelet/cri/streaming/portforward).
const PORT_FORWARD_PROTOCOLS: ChannelProtocol[] = [
  { name: 'v4.channel.k8s.io', encoding: 'binary', status: 'text', closeSignal: false },
  { name: 'v4.base64.channel.k8s.io', encoding: 'base64', status: 'text', closeSignal: false },
];

/** What a client gets when it offers no subprotocol at all: the original binary protocol. */
const UNNAMED_PROTOCOL: ChannelProtocol = { name: '', encoding: 'binary', status: 'text', closeSignal: false };

/**
 * Picks the server's preferred protocol among those offered, as the API server does (its own
 * order, not the client's). `undefined` means the client offered protocols we do not speak.
 */
export function selectExecProtocol(offered: Iterable<string>): ChannelProtocol | undefined {
  return selectFrom(EXEC_PROTOCOLS, offered);
}

export function selectPortForwardProtocol(offered: Iterable<string>): ChannelProtocol | undefined {
  return selectFrom(PORT_FORWARD_PROTOCOLS, offered);
}

function selectFrom(supported: ChannelProtocol[], offered: Iterable<string>): ChannelProtocol | undefined {
  const names = new Set([...offered].map((p) => p.trim()).filter(Boolean));
  if (names.size === 0) return UNNAMED_PROTOCOL;
  return supported.find((p) => names.has(p.name));
}

/** Parses the comma-separated Sec-WebSocket-Protocol request header. */
export function offeredProtocols(header: string | string[] | undefined): string[] {
  const joined = Array.isArray(header) ? header.join(',') : (header ?? '');
  return joined
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

export function encodeFrame(protocol: ChannelProtocol, channel: number, payload: Buffer): Buffer | string {
  if (protocol.encoding === 'base64') return String.fromCharCode(48 + channel) + payload.toString('base64');
  const frame = Buffer.allocUnsafe(payload.length + 1);
  frame[0] = channel;
  payload.copy(frame, 1);
  return frame;
}

export interface DecodedFrame {
  channel: number;
  payload: Buffer;
}

export function decodeFrame(protocol: ChannelProtocol, data: Buffer, isBinary: boolean): DecodedFrame | undefined {
  if (data.length === 0) return undefined;
  if (protocol.encoding === 'base64' && !isBinary) {
    const text = data.toString('utf8');
    const channel = text.charCodeAt(0) - 48;
    return { channel, payload: Buffer.from(text.slice(1), 'base64') };
  }
  return { channel: data[0], payload: data.subarray(1) };
}
