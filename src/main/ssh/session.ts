// One SSH connection (ssh2): dial (directly, or through a jump session), verify the host key
// against known_hosts, authenticate with ssh-agent then the key file, run fixed commands with
// a timeout, open forwarded channels. Every step is bounded in time.
import { readFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
// ssh2 is CommonJS: the bundled ESM CLI sees only its default export.
import ssh2 from 'ssh2';
import type { AuthenticationType, Client, ClientChannel, ConnectConfig } from 'ssh2';
import { SshError } from './errors';
import { fingerprintOf, keyTypeOf, knownKeyTypes, rememberHostKey, verifyHostKey } from './known-hosts';
import type { NodeCommand } from './node-commands';

export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_AUTH_TIMEOUT_MS = 8_000;
export const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;
const MAX_OUTPUT_BYTES = 1024 * 1024;

export interface SshAuth {
  /** A private key file (OpenSSH or PEM). */
  keyFile?: string;
  /** ssh-agent socket (SSH_AUTH_SOCK); tried first. */
  agentSocket?: string;
  /** Asked when the key file is encrypted and the agent did not get us in; undefined = none given. */
  passphrase?: (keyFile: string) => Promise<string | undefined>;
}

export interface HostKeyCheck {
  /** known_hosts files read, in order (~/.ssh/known_hosts, then Roadside's own). */
  files: readonly string[];
  /** Roadside's own file, where accepted keys are written. */
  roadsideFile: string;
  /** An unknown key: refuse (default), accept and remember it, or ask (the answer may come later). */
  onUnknown?: 'refuse' | 'accept-and-remember';
}

export interface SshConnectOptions {
  host: string;
  port: number;
  user: string;
  /** How the host is named in messages: "bastion", "node worker-1" … */
  label: string;
  auth: SshAuth;
  hostKeys: HostKeyCheck;
  /** Dial through this session (a jump through the bastion). */
  via?: SshSession;
  connectTimeoutMs?: number;
  authTimeoutMs?: number;
}

export interface CommandResult {
  stdout: string;
  stderr: string;
  /** null when the command ended by a signal. */
  exitCode: number | null;
  signal?: string;
  durationMs: number;
  truncated: boolean;
}

// Sockets of open sessions are unref'd (an idle tunnel must not keep a CLI process alive);
// while an SSH operation is pending, this keeps the process up instead.
let pendingOperations = 0;
let holdTimer: NodeJS.Timeout | undefined;
function holdProcess(): () => void {
  if (pendingOperations++ === 0) holdTimer = setInterval(() => undefined, 1 << 30);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--pendingOperations === 0) clearInterval(holdTimer);
  };
}

const RSA_ALGORITHMS = ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
const HOST_KEY_ALGORITHMS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', ...RSA_ALGORITHMS];

/** Host key algorithms to ask for: the ones already known for the host first, so a known host is checked against its known key. */
function hostKeyAlgorithms(known: string[]): ConnectConfig['algorithms'] | undefined {
  const preferred = known.flatMap((t) => (t === 'ssh-rsa' ? RSA_ALGORITHMS : [t])).filter((t) => HOST_KEY_ALGORITHMS.includes(t));
  if (!preferred.length) return undefined;
  return { serverHostKey: [...new Set([...preferred, ...HOST_KEY_ALGORITHMS])] as never };
}

function dialDirect(host: string, port: number, timeoutMs: number, label: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = netConnect({ host, port });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new SshError('connect-timeout', `cannot reach ${label} ${host}:${port}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.removeAllListeners('error');
      resolve(sock);
    });
    sock.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new SshError('connect-failed', `cannot reach ${label} ${host}:${port}: ${err.code ?? err.message}`));
    });
  });
}

export class SshSession {
  private closed = false;
  private closeReason?: string;
  private readonly closeListeners = new Set<(reason: string) => void>();

  private constructor(
    private readonly client: Client,
    readonly options: SshConnectOptions,
    readonly hostKeyFingerprint: string,
  ) {
    client.on('close', () => this.markClosed('the connection closed'));
    client.on('error', (err) => this.markClosed(err.message));
  }

  get target(): string {
    return `${this.options.user}@${this.options.host}:${this.options.port}`;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  private markClosed(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    for (const l of this.closeListeners) l(reason);
    this.closeListeners.clear();
  }

  /** Calls back once when the connection ends (dropped or closed). */
  onClose(listener: (reason: string) => void): () => void {
    if (this.closed) {
      listener(this.closeReason ?? 'closed');
      return () => undefined;
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  static async open(opts: SshConnectOptions): Promise<SshSession> {
    const release = holdProcess();
    try {
      return await SshSession.openHeld(opts);
    } finally {
      release();
    }
  }

  private static async openHeld(opts: SshConnectOptions): Promise<SshSession> {
    const connectTimeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const authTimeoutMs = opts.authTimeoutMs ?? DEFAULT_AUTH_TIMEOUT_MS;
    const where = `${opts.label} ${opts.host}:${opts.port}`;
    const sock: Duplex = opts.via ? await opts.via.forwardOut(opts.host, opts.port, connectTimeoutMs, opts.label) : await dialDirect(opts.host, opts.port, connectTimeoutMs, opts.label);

    const client: Client = new ssh2.Client();
    let refusal: SshError | undefined;
    let acceptedFingerprint = '';
    const hostVerifier = (key: Buffer): boolean => {
      const fingerprint = fingerprintOf(key);
      const info = { host: opts.host, port: opts.port, keyType: keyTypeOf(key), fingerprint };
      const verdict = verifyHostKey(opts.hostKeys.files, opts.host, opts.port, key);
      switch (verdict.status) {
        case 'trusted':
          acceptedFingerprint = fingerprint;
          return true;
        case 'revoked':
          refusal = new SshError('revoked-host-key', `the host key of ${where} (${info.keyType} ${fingerprint}) is marked @revoked in ${verdict.entry.file}:${verdict.entry.line}; refused`, info);
          return false;
        case 'changed': {
          const known = verdict.known.map((k) => `${k.fingerprint} (${k.file}:${k.line})`).join(', ');
          refusal = new SshError(
            'changed-host-key',
            `HOST KEY CHANGED for ${where}: it now offers ${info.keyType} ${fingerprint}, but known_hosts has ${known}. ` +
              'Someone may be intercepting the connection, or the host was reinstalled; refused. Remove the old entry only once you have confirmed the new key.',
            { ...info, knownFingerprints: verdict.known.map((k) => k.fingerprint) },
          );
          return false;
        }
        case 'unknown':
          if (opts.hostKeys.onUnknown === 'accept-and-remember') {
            rememberHostKey(opts.hostKeys.roadsideFile, opts.host, opts.port, key);
            acceptedFingerprint = fingerprint;
            return true;
          }
          refusal = new SshError(
            'unknown-host-key',
            `the host key of ${where} is not known: ${info.keyType} ${fingerprint}. Check this fingerprint with the host's administrator, then accept it` +
              (verdict.otherTypesKnown.length ? ` (known_hosts has only ${verdict.otherTypesKnown.join(', ')} keys for it)` : ''),
            info,
            key,
          );
          return false;
      }
    };

    // Authentication: the agent first, then the key file (asking for its passphrase only when needed).
    const attempts: Array<() => Promise<AuthenticationType | undefined>> = [];
    const tried: string[] = [];
    let keyProblem: SshError | undefined;
    if (opts.auth.agentSocket) {
      attempts.push(async () => {
        tried.push('ssh-agent');
        return { type: 'agent', username: opts.user, agent: opts.auth.agentSocket! } as unknown as AuthenticationType;
      });
    }
    if (opts.auth.keyFile) {
      const keyFile = opts.auth.keyFile;
      attempts.push(async () => {
        let data: Buffer;
        try {
          data = readFileSync(keyFile);
        } catch (err) {
          keyProblem = new SshError('key-unreadable', `cannot read the key file ${keyFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
          return undefined;
        }
        let parsed = ssh2.utils.parseKey(data);
        let passphrase: string | undefined;
        if (parsed instanceof Error && /encrypted/i.test(parsed.message)) {
          passphrase = await opts.auth.passphrase?.(keyFile);
          if (passphrase === undefined) {
            keyProblem = new SshError('passphrase-needed', `the key ${keyFile} is protected by a passphrase: load it into ssh-agent (ssh-add) or give the passphrase`);
            return undefined;
          }
          parsed = ssh2.utils.parseKey(data, passphrase);
          if (parsed instanceof Error) {
            keyProblem = new SshError('passphrase-needed', `the passphrase for ${keyFile} is wrong`);
            return undefined;
          }
        }
        if (parsed instanceof Error) {
          keyProblem = new SshError('key-unreadable', `${keyFile} is not a private key ssh2 can use: ${parsed.message}`);
          return undefined;
        }
        tried.push(`key ${keyFile}`);
        return { type: 'publickey', username: opts.user, key: data, ...(passphrase !== undefined ? { passphrase } : {}) } as unknown as AuthenticationType;
      });
    }
    if (!attempts.length) {
      sock.destroy();
      throw new SshError('auth-failed', `no way to log in to ${where}: give a key file (--ssh-key) or start ssh-agent (SSH_AUTH_SOCK)`);
    }
    const authHandler = (_left: unknown, _partial: unknown, next: (a: AuthenticationType | false) => void): void => {
      const step = async (): Promise<void> => {
        for (;;) {
          const attempt = attempts.shift();
          if (!attempt) return next(false);
          const auth = await attempt();
          if (auth) return next(auth);
        }
      };
      void step();
    };

    return await new Promise<SshSession>((resolve, reject) => {
      let settled = false;
      const fail = (err: SshError) => {
        if (settled) return;
        settled = true;
        client.removeAllListeners('ready');
        client.on('error', () => undefined);
        client.end();
        sock.destroy();
        reject(err);
      };
      client.once('ready', () => {
        if (settled) return;
        settled = true;
        client.removeAllListeners('error');
        (sock as Partial<Socket>).unref?.();
        resolve(new SshSession(client, opts, acceptedFingerprint));
      });
      client.on('error', (err: Error & { level?: string }) => {
        if (refusal) return fail(refusal);
        if (err.level === 'client-timeout') return fail(new SshError('auth-timeout', `${where}: no SSH handshake and login within ${authTimeoutMs} ms`));
        if (err.level === 'client-authentication') {
          if (keyProblem && tried.length === 0) return fail(keyProblem);
          const offered = tried.length ? tried.join(' and ') : 'nothing';
          return fail(
            new SshError('auth-failed', `${where} refused the login of "${opts.user}" (offered ${offered})${keyProblem ? `; also: ${keyProblem.message}` : ''}: check the user and that the key is in its authorized_keys`),
          );
        }
        return fail(new SshError('connect-failed', `${where}: ${err.message}`));
      });
      client.on('close', () => {
        if (refusal) return fail(refusal);
        fail(new SshError('connect-failed', `${where} closed the connection during the SSH handshake`));
      });
      try {
        client.connect({
          sock: sock as never,
          username: opts.user,
          readyTimeout: authTimeoutMs,
          hostVerifier,
          authHandler: authHandler as never,
                    ...(() => {
            const algorithms = hostKeyAlgorithms(knownKeyTypes(opts.hostKeys.files, opts.host, opts.port));
            return algorithms ? { algorithms } : {};
          })(),
        });
      } catch (err) {
        fail(new SshError('protocol', `${where}: ${(err as Error).message}`));
      }
    });
  }

  /** A TCP channel to host:port opened on the remote side (a tunnel or a jump). */
  forwardOut(host: string, port: number, timeoutMs = DEFAULT_CONNECT_TIMEOUT_MS, label = `${host}:${port}`): Promise<ClientChannel> {
    if (this.closed) return Promise.reject(new SshError('dropped', `the connection to ${this.options.label} ${this.target} is closed (${this.closeReason})`));
    const release = holdProcess();
    return new Promise<ClientChannel>((resolve, reject) => {
      const timer = setTimeout(() => reject(new SshError('connect-timeout', `${this.options.label} could not open a channel to ${label} (${host}:${port}) within ${timeoutMs} ms`)), timeoutMs);
      this.client.forwardOut('127.0.0.1', 0, host, port, (err, channel) => {
        clearTimeout(timer);
        if (err) reject(new SshError('connect-failed', `${this.options.label} could not reach ${label} (${host}:${port}): ${err.message}`));
        else resolve(channel);
      });
    }).finally(release);
  }

  /** Runs one fixed command of the catalogue; its line is never built from input. */
  exec(command: NodeCommand, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<CommandResult> {
    const where = `${this.options.label} (${this.target})`;
    if (this.closed) return Promise.reject(new SshError('dropped', `the connection to ${where} is closed (${this.closeReason})`));
    const timeoutMs = opts.timeoutMs ?? command.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    const started = performance.now();
    const release = holdProcess();
    return new Promise<CommandResult>((resolve, reject) => {
      let settled = false;
      let channel: ClientChannel | undefined;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        offClose();
        opts.signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const timer = setTimeout(() => {
        finish(() => reject(new SshError('command-timeout', `"${command.line}" on ${where} did not finish within ${timeoutMs} ms`)));
        channel?.close();
      }, timeoutMs);
      const offClose = this.onClose((reason) => finish(() => reject(new SshError('dropped', `the connection to ${where} dropped while running "${command.line}": ${reason}`))));
      const onAbort = () => {
        finish(() => reject(opts.signal?.reason ?? new Error('aborted')));
        channel?.close();
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let bytes = 0;
      let truncated = false;
      const keep = (into: Buffer[]) => (chunk: Buffer) => {
        if (bytes >= MAX_OUTPUT_BYTES) {
          truncated = true;
          return;
        }
        const room = MAX_OUTPUT_BYTES - bytes;
        into.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
        bytes += Math.min(chunk.length, room);
        if (chunk.length > room) truncated = true;
      };
      try {
        this.client.exec(command.line, (error, ch) => {
          if (error) return finish(() => reject(new SshError('protocol', `${where} would not run "${command.line}": ${error.message}`)));
          channel = ch;
          let exit: { code: number | null; signal?: string } | undefined;
          ch.on('data', keep(out));
          ch.stderr.on('data', keep(err));
          ch.on('exit', (code: number | null, signal?: string) => {
            exit = { code: typeof code === 'number' ? code : null, ...(signal ? { signal } : {}) };
          });
          ch.on('close', () => {
            // Give the connection's own close a turn: a dropped connection also closes its channels.
            setImmediate(() => {
              if (!exit) {
                finish(() =>
                  reject(new SshError('dropped', `the connection to ${where} dropped while running "${command.line}"${this.closed ? `: ${this.closeReason}` : ' (no exit status)'}`)),
                );
                return;
              }
              const result: CommandResult = {
                stdout: Buffer.concat(out).toString('utf8'),
                stderr: Buffer.concat(err).toString('utf8'),
                exitCode: exit.code,
                ...(exit.signal ? { signal: exit.signal } : {}),
                durationMs: Math.round(performance.now() - started),
                truncated,
              };
              finish(() => resolve(result));
            });
          });
        });
      } catch (e) {
        finish(() => reject(new SshError('dropped', `${where}: ${(e as Error).message}`)));
      }
    }).finally(release);
  }

  /** Ends the connection; resolves once it is closed (bounded). */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.client.destroy();
        resolve();
      }, 2_000);
      this.onClose(() => {
        clearTimeout(timer);
        resolve();
      });
      this.client.end();
    });
  }
}
