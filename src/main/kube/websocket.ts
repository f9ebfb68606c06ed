// client-node's WebSocket handler (exec, port-forward) with one addition: when the API
// server refuses the upgrade, remember its status and body so the caller can say why
// (403 forbidden, 400 "container not found") instead of a bare socket error.
import type { KubeConfig } from '@kubernetes/client-node';
// Not re-exported by the package index; the file is part of its published dist.
import { WebSocketHandler } from '@kubernetes/client-node/dist/web-socket-handler.js';
import WebSocket from 'ws';

// The stream clients that use the handler, for modules that load all of it on first use.
export { Exec, PortForward } from '@kubernetes/client-node';

export interface UpgradeRefusal {
  status?: number;
  body?: string;
}

export function webSocketHandlerRecordingRefusal(kc: KubeConfig): { handler: WebSocketHandler; refusal: UpgradeRefusal } {
  const refusal: UpgradeRefusal = {};
  const handler = new WebSocketHandler(kc, (uri: string, protocols: string[], opts: WebSocket.ClientOptions) => {
    const ws = new WebSocket(uri, protocols, opts);
    ws.on('unexpected-response', (req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        refusal.status = res.statusCode;
        refusal.body = Buffer.concat(chunks).toString('utf8');
        ws.emit('error', new Error(`upgrade refused: HTTP ${res.statusCode}`));
        req.destroy();
      });
    });
    return ws as never;
  });
  return { handler, refusal };
}
