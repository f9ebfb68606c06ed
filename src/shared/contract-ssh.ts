// The SSH part of the RoadsideApi contract: per-context SSH settings, the connection test,
// trusting a host key the engineer has checked, and giving a key passphrase when asked.
import { z } from 'zod';
import type { SshContextSettings, SshTestReport } from './ssh';

const contextName = z.string().min(1).max(253);
const hostName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9._:%-]+$|^\[[0-9A-Fa-f:.%]+\]$/, 'not a host name or address');
const userName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._][A-Za-z0-9._-]*$/, 'not a user name');
const port = z.number().int().min(1).max(65535);
const nodeName = z.string().min(1).max(253).regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'not a node name');
const hostPort = z
  .string()
  .min(1)
  .max(300)
  .regex(/^(\[[0-9A-Fa-f:.%]+\]|[A-Za-z0-9._%-]+)(:\d{1,5})?$/, 'not host[:port]');

export const sshContextSettingsSchema = z
  .object({
    bastion: z.object({ host: hostName, port, user: userName }).strict().optional(),
    nodes: z
      .object({
        user: userName,
        port,
        addresses: z.record(nodeName, hostPort).refine((r) => Object.keys(r).length <= 200, 'at most 200 node addresses'),
      })
      .strict()
      .optional(),
    keyFile: z.string().min(1).max(4096).optional(),
  })
  .strict();

export const sshRequests = {
  'ssh.settings.get': z.object({ context: contextName }).strict(),
  'ssh.settings.set': z.object({ context: contextName, settings: sshContextSettingsSchema.nullable() }).strict(),
  'ssh.test': z
    .object({
      context: contextName,
      nodes: z.array(nodeName).max(50).optional(),
    })
    .strict(),
  /** Trust a key the last test showed as unknown (by its fingerprint, after the engineer checked it). */
  'ssh.hostKey.trust': z
    .object({
      host: hostName,
      port,
      fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'not a SHA256 fingerprint'),
    })
    .strict(),
  /** A key passphrase, asked when needed; kept in memory, and remembered only through the desktop app's safe storage. */
  'ssh.secret.provide': z
    .object({
      keyFile: z.string().min(1).max(4096),
      passphrase: z.string().min(1).max(1024),
      remember: z.boolean(),
    })
    .strict(),
} as const;

export interface SshContextView {
  context: string;
  settings: SshContextSettings | null;
  /** SSH_AUTH_SOCK is set for this process. */
  agentAvailable: boolean;
  /** The sandbox: node addresses must be given explicitly. */
  isSandbox: boolean;
  /** Whether a passphrase can be remembered here (desktop app with safe storage). */
  canRememberSecrets: boolean;
  /** The fixed commands node checks run. */
  commands: Array<{ id: string; line: string; purpose: string }>;
}

export interface SshResponses {
  'ssh.settings.get': SshContextView;
  'ssh.settings.set': SshContextView;
  'ssh.test': SshTestReport;
  'ssh.hostKey.trust': { trusted: true; fingerprint: string };
  'ssh.secret.provide': { remembered: boolean };
}
