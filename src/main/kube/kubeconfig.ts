// Kubeconfig discovery and merge with kubectl's rules: the KUBECONFIG list (or
// ~/.kube/config), then files the engineer added; for clusters, users and
// contexts the first file that defines a name wins, and so does the first
// current-context. One broken file or entry is reported on its own.
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import type { ContextInfo, KubeconfigProblem } from '../../shared/kube';

/** Files larger than this are not kubeconfigs; refusing them keeps a bad path from hanging the app. */
const MAX_KUBECONFIG_BYTES = 16 * 1024 * 1024;

type RawMap = Record<string, unknown>;

interface NamedEntry {
  name: string;
  body: RawMap;
  file: string;
}

export interface MergedKubeconfig {
  files: string[];
  clusters: Map<string, NamedEntry>;
  users: Map<string, NamedEntry>;
  contexts: Map<string, NamedEntry>;
  currentContext?: string;
  problems: KubeconfigProblem[];
}

export interface KubeconfigSources {
  /** Value of KUBECONFIG, if set. */
  kubeconfigEnv?: string;
  platform?: NodeJS.Platform;
  home?: string;
  /** Files added in the app or with --kubeconfig, after the standard ones. */
  extraFiles?: string[];
}

/** Splits a KUBECONFIG value the way kubectl does on the given platform. */
export function splitKubeconfigEnv(value: string, platform: NodeJS.Platform = process.platform): string[] {
  const separator = platform === 'win32' ? ';' : ':';
  const seen = new Set<string>();
  const files: string[] = [];
  for (const part of value.split(separator)) {
    const file = part.trim();
    if (!file || seen.has(file)) continue;
    seen.add(file);
    files.push(file);
  }
  return files;
}

export function kubeconfigFiles(sources: KubeconfigSources = {}): { files: string[]; optional: Set<string> } {
  const env = sources.kubeconfigEnv ?? process.env.KUBECONFIG;
  const home = sources.home ?? homedir();
  const optional = new Set<string>();
  let standard: string[];
  if (env && env.trim()) {
    standard = splitKubeconfigEnv(env, sources.platform);
  } else {
    const defaultFile = resolve(join(home, '.kube', 'config'));
    optional.add(defaultFile);
    standard = [defaultFile];
  }
  const files: string[] = [];
  for (const file of [...standard, ...(sources.extraFiles ?? [])]) {
    const abs = resolve(file);
    if (!files.includes(abs)) files.push(abs);
  }
  return { files, optional };
}

function isMap(v: unknown): v is RawMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readKubeconfigFile(file: string): { doc?: RawMap; problem?: string; missing?: boolean } {
  let text: string;
  try {
    const st = statSync(file);
    if (st.isDirectory()) return { problem: 'is a directory, not a kubeconfig file' };
    if (st.size > MAX_KUBECONFIG_BYTES) return { problem: `is larger than ${MAX_KUBECONFIG_BYTES / 1024 / 1024} MiB` };
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { missing: true, problem: 'file not found' };
    if (code === 'EACCES' || code === 'EPERM') return { problem: 'permission denied' };
    return { problem: (err as Error).message };
  }
  if (!text.trim()) return { doc: {} };
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: true, uniqueKeys: false });
  } catch (err) {
    const e = err as Error & { linePos?: Array<{ line: number; col: number }> };
    const where = e.linePos?.[0] ? ` (line ${e.linePos[0].line}, column ${e.linePos[0].col})` : '';
    return { problem: `not valid YAML${where}: ${e.message.split('\n')[0]}` };
  }
  if (doc === null || doc === undefined) return { doc: {} };
  if (!isMap(doc)) return { problem: 'not a kubeconfig: the document is not a mapping' };
  return { doc };
}

function collect(
  doc: RawMap,
  listKey: 'clusters' | 'users' | 'contexts',
  bodyKey: 'cluster' | 'user' | 'context',
  file: string,
  into: Map<string, NamedEntry>,
  problems: KubeconfigProblem[],
): void {
  const list = doc[listKey];
  if (list === undefined || list === null) return;
  if (!Array.isArray(list)) {
    problems.push({ severity: 'error', file, reason: `"${listKey}" is not a list` });
    return;
  }
  list.forEach((item, i) => {
    if (!isMap(item) || typeof item.name !== 'string' || !item.name) {
      problems.push({ severity: 'error', file, reason: `${listKey}[${i}] has no name` });
      return;
    }
    const body = item[bodyKey];
    if (body !== undefined && body !== null && !isMap(body)) {
      problems.push({ severity: 'error', file, entry: item.name, reason: `${listKey}[${i}].${bodyKey} is not a mapping` });
      return;
    }
    if (!into.has(item.name)) into.set(item.name, { name: item.name, body: (body as RawMap) ?? {}, file });
  });
}

/**
 * @param optionalFiles files whose absence is normal (the default ~/.kube/config): not reported.
 */
export function mergeKubeconfigs(files: string[], optionalFiles: ReadonlySet<string> = new Set()): MergedKubeconfig {
  const merged: MergedKubeconfig = {
    files: [],
    clusters: new Map(),
    users: new Map(),
    contexts: new Map(),
    problems: [],
  };
  for (const file of files) {
    const { doc, problem, missing } = readKubeconfigFile(file);
    if (!doc) {
      // kubectl silently skips missing files; Roadside says so, except for the default file.
      if (!(missing && optionalFiles.has(file)))
        merged.problems.push({ severity: missing ? 'warning' : 'error', file, reason: problem ?? 'unreadable' });
      continue;
    }
    merged.files.push(file);
    collect(doc, 'clusters', 'cluster', file, merged.clusters, merged.problems);
    collect(doc, 'users', 'user', file, merged.users, merged.problems);
    collect(doc, 'contexts', 'context', file, merged.contexts, merged.problems);
    const current = doc['current-context'];
    if (merged.currentContext === undefined && typeof current === 'string' && current) {
      merged.currentContext = current;
    }
  }
  return merged;
}

const CLUSTER_PATH_FIELDS = ['certificate-authority'];
const USER_PATH_FIELDS = ['client-certificate', 'client-key', 'token-file'];

/** kubectl resolves relative paths against the file that holds the entry. */
function absolutizePaths(body: RawMap, fields: string[], file: string): RawMap {
  const out: RawMap = { ...body };
  for (const f of fields) {
    const v = out[f];
    if (typeof v === 'string' && v && !isAbsolute(v)) out[f] = resolve(dirname(file), v);
  }
  const exec = out.exec;
  if (isMap(exec) && typeof exec.command === 'string' && /[\\/]/.test(exec.command) && !isAbsolute(exec.command)) {
    out.exec = { ...exec, command: resolve(dirname(file), exec.command) };
  }
  return out;
}

function describeAuth(user: RawMap): string {
  const exec = user.exec;
  if (isMap(exec) && typeof exec.command === 'string') return `exec:${exec.command.split(/[\\/]/).pop()}`;
  const provider = user['auth-provider'];
  if (isMap(provider) && typeof provider.name === 'string') return provider.name;
  if (user.token || user['token-file']) return 'token';
  if (user['client-certificate'] || user['client-certificate-data']) return 'client-cert';
  if (user.username) return 'basic';
  return 'none';
}

export interface ResolvedContexts {
  contexts: ContextInfo[];
  problems: KubeconfigProblem[];
  files: string[];
  /** A client-node KubeConfig per loadable context, with that context current. */
  configs: Map<string, KubeConfig>;
}

/** Builds one KubeConfig per context so a broken entry never takes the others down. */
export function resolveContexts(merged: MergedKubeconfig): ResolvedContexts {
  const problems = [...merged.problems];
  const contexts: ContextInfo[] = [];
  const configs = new Map<string, KubeConfig>();
  for (const ctx of merged.contexts.values()) {
    const clusterName = typeof ctx.body.cluster === 'string' ? ctx.body.cluster : '';
    const userName = typeof ctx.body.user === 'string' ? ctx.body.user : '';
    const cluster = clusterName ? merged.clusters.get(clusterName) : undefined;
    if (!clusterName) {
      problems.push({ severity: 'error', file: ctx.file, entry: ctx.name, reason: `context "${ctx.name}" names no cluster` });
      continue;
    }
    if (!cluster) {
      problems.push({ severity: 'error', file: ctx.file, entry: ctx.name, reason: `context "${ctx.name}" refers to cluster "${clusterName}", which no kubeconfig file defines` });
      continue;
    }
    const user = userName ? merged.users.get(userName) : undefined;
    if (userName && !user) {
      problems.push({ severity: 'error', file: ctx.file, entry: ctx.name, reason: `context "${ctx.name}" refers to user "${userName}", which no kubeconfig file defines` });
      continue;
    }
    if (typeof cluster.body.server !== 'string' || !cluster.body.server) {
      problems.push({ severity: 'error', file: cluster.file, entry: ctx.name, reason: `cluster "${clusterName}" has no server URL` });
      continue;
    }
    const clusterBody = absolutizePaths(cluster.body, CLUSTER_PATH_FIELDS, cluster.file);
    const userBody = user ? absolutizePaths(user.body, USER_PATH_FIELDS, user.file) : {};
    const effectiveUser = userName || `${ctx.name}-anonymous`;
    const raw = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: clusterName, cluster: clusterBody }],
      users: [{ name: effectiveUser, user: userBody }],
      contexts: [{ name: ctx.name, context: { ...ctx.body, user: effectiveUser } }],
      'current-context': ctx.name,
    };
    const kc = new KubeConfig();
    try {
      // JSON is YAML: no need to write the merged context out as YAML for client-node to read.
      kc.loadFromString(JSON.stringify(raw));
    } catch (err) {
      problems.push({ severity: 'error', file: ctx.file, entry: ctx.name, reason: (err as Error).message });
      continue;
    }
    configs.set(ctx.name, kc);
    contexts.push({
      name: ctx.name,
      cluster: clusterName,
      server: String(cluster.body.server),
      user: userName,
      ...(typeof ctx.body.namespace === 'string' && ctx.body.namespace ? { namespace: ctx.body.namespace } : {}),
      sourceFile: ctx.file,
      isCurrent: merged.currentContext === ctx.name,
      auth: describeAuth(userBody),
    });
  }
  return { contexts, problems, files: merged.files, configs };
}

export function loadContexts(sources: KubeconfigSources = {}): ResolvedContexts {
  const { files, optional } = kubeconfigFiles(sources);
  return resolveContexts(mergeKubeconfigs(files, optional));
}
