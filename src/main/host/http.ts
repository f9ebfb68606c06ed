// `roadside serve`: the same UI for a browser, on 127.0.0.1 only. Every request
// must carry the per-launch token (cookie set from the launch URL, or a bearer
// header) and name this server in Host and Origin, which stops DNS rebinding
// and cross-site requests from other pages the engineer has open.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import http from 'node:http';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RoadsideError } from '../errors';
import type { RoadsideService } from '../service';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const MAX_BODY_BYTES = 1024 * 1024;

export interface ServeOptions {
  service: RoadsideService;
  port?: number;
  /** Built renderer folder (out/renderer). */
  rendererDir?: string;
  /** Fixed token for tests; random otherwise. */
  token?: string;
}

export interface RunningHost {
  url: string;
  /** The URL to open, with the token. */
  launchUrl: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Finds out/renderer from the built CLI (out/main) or from the source tree. */
export function findRendererDir(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, '../renderer'), resolve(here, '../../out/renderer'), resolve(here, '../../../out/renderer'), resolve(process.cwd(), 'out/renderer')];
  return candidates.find((d) => existsSync(join(d, 'index.html')));
}

function sameToken(a: string | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

export async function startHost(options: ServeOptions): Promise<RunningHost> {
  const { service } = options;
  const token = options.token ?? randomBytes(24).toString('base64url');
  const rendererDir = options.rendererDir ?? findRendererDir();
  let port = 0;
  const cookieName = () => `roadside_token_${port}`;
  const sseClients = new Set<http.ServerResponse>();

  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((err) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: { code: 'internal', message: (err as Error).message } });
      else res.destroy();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const host = req.headers.host ?? '';
    if (!allowedHosts().has(host)) {
      return sendJson(res, 403, { ok: false, error: { code: 'forbidden', message: `Host "${host}" is not this server` } });
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().has(origin)) {
      return sendJson(res, 403, { ok: false, error: { code: 'forbidden', message: `Origin "${origin}" is not allowed` } });
    }
    const url = new URL(req.url ?? '/', `http://${host}`);

    // The launch URL carries the token once; it becomes a same-site cookie and leaves the address bar.
    const queryToken = url.searchParams.get('token');
    if (queryToken !== null && req.method === 'GET' && !url.pathname.startsWith('/api/')) {
      if (!sameToken(queryToken, token)) return sendJson(res, 401, { ok: false, error: { code: 'unauthorized', message: 'wrong token' } });
      url.searchParams.delete('token');
      res.writeHead(303, {
        location: url.pathname + (url.search || ''),
        'set-cookie': `${cookieName()}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
        'cache-control': 'no-store',
      });
      return void res.end();
    }

    const auth = req.headers.authorization;
    const bearer = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
    if (!sameToken(bearer, token) && !sameToken(readCookie(req.headers.cookie, cookieName()), token)) {
      return sendJson(res, 401, {
        ok: false,
        error: { code: 'unauthorized', message: 'missing or wrong token: open the URL that `roadside serve` printed' },
      });
    }

    if (url.pathname.startsWith('/api/invoke/')) {
      if (req.method !== 'POST') return sendJson(res, 405, { ok: false, error: { code: 'invalid-input', message: 'use POST' } });
      const channel = decodeURIComponent(url.pathname.slice('/api/invoke/'.length));
      const body = await readBody(req);
      if (body === undefined) return sendJson(res, 413, { ok: false, error: { code: 'too-large', message: `request body over ${MAX_BODY_BYTES} bytes` } });
      let payload: unknown;
      try {
        payload = body.length ? JSON.parse(body) : {};
      } catch {
        return sendJson(res, 400, { ok: false, error: { code: 'invalid-input', message: 'request body is not JSON' } });
      }
      const result = await service.dispatch(channel, payload);
      return sendJson(res, 200, result);
    }
    if (url.pathname === '/api/events') {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      res.write(': connected\n\n');
      sseClients.add(res);
      req.on('close', () => sseClients.delete(res));
      return;
    }
    if (url.pathname.startsWith('/api/')) return sendJson(res, 404, { ok: false, error: { code: 'not-found', message: `no endpoint ${url.pathname}` } });
    return serveStatic(url.pathname, res);
  }

  function serveStatic(pathname: string, res: http.ServerResponse): void {
    if (!rendererDir) {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      return void res.end('The UI is not built: run `npm run build` first.');
    }
    const rel = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
    let file = resolve(rendererDir, rel || 'index.html');
    if (!file.startsWith(resolve(rendererDir) + sep) && file !== resolve(rendererDir)) {
      return sendJson(res, 404, { ok: false, error: { code: 'not-found', message: 'not found' } });
    }
    if (!existsSync(file) || statSync(file).isDirectory()) file = join(rendererDir, 'index.html');
    res.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': extname(file) === '.html' ? 'no-store' : 'max-age=3600',
    });
    createReadStream(file).pipe(res);
  }

  const unsubscribe = service.onEvent((event) => {
    const data = `data: ${JSON.stringify(event)}\n\n`;
    for (const client of sseClients) client.write(data);
  });
  const heartbeat = setInterval(() => {
    for (const client of sseClients) client.write(': ping\n\n');
  }, 15_000);
  heartbeat.unref();

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE')
        reject(new RoadsideError('invalid-input', `port ${options.port} on 127.0.0.1 is already in use; choose another with --port`));
      else reject(err);
    });
    server.listen(options.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}/`;
  return {
    url,
    launchUrl: `${url}?token=${token}`,
    port,
    token,
    close: async () => {
      unsubscribe();
      clearInterval(heartbeat);
      for (const client of sseClients) client.end();
      sseClients.clear();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function readBody(req: http.IncomingMessage): Promise<string | undefined> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolveBody(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
