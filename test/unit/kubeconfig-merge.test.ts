import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kubeconfigFiles, loadContexts, splitKubeconfigEnv } from '../../src/main/kube/kubeconfig';
import { findKubectl } from '../support/kubectl';

const dir = mkdtempSync(join(tmpdir(), 'roadside-kubeconfig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const kubectl = findKubectl();

function kubectlContexts(files: string[]): { names: string[]; current: string; view: any } {
  const env = { ...process.env, KUBECONFIG: files.join(':'), HOME: dir };
  const names = execFileSync(kubectl, ['config', 'get-contexts', '-o', 'name'], { env, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .sort();
  let current = '';
  try {
    current = execFileSync(kubectl, ['config', 'current-context'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    current = '';
  }
  const view = JSON.parse(execFileSync(kubectl, ['config', 'view', '-o', 'json'], { env, encoding: 'utf8' }));
  return { names, current, view };
}

const prod = write(
  'prod.yaml',
  `apiVersion: v1
kind: Config
current-context: prod-eu
clusters:
- name: prod-eu
  cluster: {server: "https://10.20.0.1:6443", certificate-authority: certs/ca.crt}
- name: shared
  cluster: {server: "https://shared-from-prod:6443"}
users:
- name: ops
  user: {token: prod-token}
contexts:
- name: prod-eu
  context: {cluster: prod-eu, user: ops, namespace: traffic-system}
- name: shared-ctx
  context: {cluster: shared, user: ops}
`,
);
const staging = write(
  'staging.yaml',
  `apiVersion: v1
kind: Config
current-context: staging
clusters:
- name: staging
  cluster: {server: "https://staging:6443"}
- name: shared
  cluster: {server: "https://shared-from-staging:6443"}
users:
- name: ops
  user: {token: staging-token}
- name: oidc
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: kubelogin
      args: [get-token]
contexts:
- name: staging
  context: {cluster: staging, user: oidc}
- name: shared-ctx
  context: {cluster: staging, user: oidc, namespace: other}
`,
);

describe('kubeconfig merge, compared with kubectl on the same files', () => {
  it('lists the same context names and the same current-context', () => {
    const ours = loadContexts({ kubeconfigEnv: `${prod}:${staging}`, platform: 'linux', home: dir });
    const theirs = kubectlContexts([prod, staging]);
    expect(ours.contexts.map((c) => c.name).sort()).toEqual(theirs.names);
    expect(ours.contexts.find((c) => c.isCurrent)?.name).toBe(theirs.current);
    expect(ours.problems).toEqual([]);
  });

  it('lets the first file that defines a name win for contexts, clusters and users', () => {
    const ours = loadContexts({ kubeconfigEnv: `${prod}:${staging}`, platform: 'linux', home: dir });
    const theirs = kubectlContexts([prod, staging]);
    for (const ctx of ours.contexts) {
      const k = theirs.view.contexts.find((c: any) => c.name === ctx.name).context;
      expect(ctx.cluster).toBe(k.cluster);
      expect(ctx.user).toBe(k.user);
      expect(ctx.namespace).toBe(k.namespace);
      const cluster = theirs.view.clusters.find((c: any) => c.name === k.cluster).cluster;
      expect(ctx.server).toBe(cluster.server);
    }
    const shared = ours.contexts.find((c) => c.name === 'shared-ctx')!;
    expect(shared.sourceFile).toBe(prod);
    expect(shared.server).toBe('https://shared-from-prod:6443');
  });

  it('follows the order of KUBECONFIG, so reversing it changes the winner as in kubectl', () => {
    const ours = loadContexts({ kubeconfigEnv: `${staging}:${prod}`, platform: 'linux', home: dir });
    const theirs = kubectlContexts([staging, prod]);
    expect(ours.contexts.find((c) => c.isCurrent)?.name).toBe(theirs.current);
    expect(ours.contexts.find((c) => c.name === 'shared-ctx')?.server).toBe('https://staging:6443');
  });

  it('resolves relative certificate paths against the file that holds them', () => {
    const ours = loadContexts({ kubeconfigEnv: prod, platform: 'linux', home: dir });
    const kc = ours.configs.get('prod-eu')!;
    expect(kc.getCurrentCluster()?.caFile).toBe(join(dir, 'certs/ca.crt'));
  });

  it('describes the authentication method without revealing the token', () => {
    const ours = loadContexts({ kubeconfigEnv: `${prod}:${staging}`, platform: 'linux', home: dir });
    expect(ours.contexts.find((c) => c.name === 'prod-eu')?.auth).toBe('token');
    expect(ours.contexts.find((c) => c.name === 'staging')?.auth).toBe('exec:kubelogin');
    expect(JSON.stringify(ours.contexts)).not.toContain('prod-token');
  });
});

describe('broken kubeconfigs are reported one by one and the rest loads', () => {
  it('reports a malformed file by name and line, keeping the other files', () => {
    const bad = write('bad.yaml', 'apiVersion: v1\nclusters:\n  - name: x\n    cluster: [unclosed\n');
    const ours = loadContexts({ kubeconfigEnv: `${bad}:${prod}`, platform: 'linux', home: dir });
    expect(ours.contexts.map((c) => c.name).sort()).toEqual(['prod-eu', 'shared-ctx']);
    const problem = ours.problems.find((p) => p.file === bad)!;
    expect(problem.severity).toBe('error');
    expect(problem.reason).toMatch(/not valid YAML \(line \d+/);
  });

  it('reports a context whose cluster or user is missing, naming the file and the missing entry', () => {
    const dangling = write(
      'dangling.yaml',
      `apiVersion: v1
kind: Config
clusters:
- name: ok
  cluster: {server: "https://ok:6443"}
users:
- name: u
  user: {token: t}
contexts:
- name: no-cluster
  context: {cluster: ghost, user: u}
- name: no-user
  context: {cluster: ok, user: phantom}
- name: fine
  context: {cluster: ok, user: u}
`,
    );
    const ours = loadContexts({ kubeconfigEnv: dangling, platform: 'linux', home: dir });
    expect(ours.contexts.map((c) => c.name)).toEqual(['fine']);
    expect(ours.problems.map((p) => p.entry).sort()).toEqual(['no-cluster', 'no-user']);
    expect(ours.problems.find((p) => p.entry === 'no-cluster')?.reason).toContain('cluster "ghost"');
    expect(ours.problems.find((p) => p.entry === 'no-user')?.reason).toContain('user "phantom"');
    expect(ours.problems.every((p) => p.file === dangling)).toBe(true);
    // kubectl still lists the broken contexts: together we account for every one of them.
    const names = kubectlContexts([dangling]).names;
    expect([...ours.contexts.map((c) => c.name), ...ours.problems.map((p) => p.entry)].sort()).toEqual(names);
  });

  it('reports an unreadable path and a file that is not a mapping', () => {
    const folder = join(dir, 'a-folder');
    mkdirSync(folder, { recursive: true });
    const list = write('list.yaml', '- just\n- a list\n');
    const ours = loadContexts({ kubeconfigEnv: `${list}:${folder}:${prod}`, platform: 'linux', home: dir });
    expect(ours.problems.find((p) => p.file === list)?.reason).toContain('not a mapping');
    expect(ours.problems.find((p) => p.file === folder)?.reason).toContain('directory');
    expect(ours.contexts.length).toBe(2);
  });

  it('warns about a missing file in KUBECONFIG but stays silent about a missing default ~/.kube/config', () => {
    const missing = join(dir, 'nope.yaml');
    const withMissing = loadContexts({ kubeconfigEnv: `${missing}:${prod}`, platform: 'linux', home: dir });
    expect(withMissing.problems).toEqual([{ severity: 'warning', file: missing, reason: 'file not found' }]);
    const noEnv = loadContexts({ kubeconfigEnv: '', platform: 'linux', home: join(dir, 'empty-home') });
    expect(noEnv.problems).toEqual([]);
    expect(noEnv.contexts).toEqual([]);
  });

  it('reads an empty file as having no contexts', () => {
    const empty = write('empty.yaml', '');
    const ours = loadContexts({ kubeconfigEnv: `${empty}:${prod}`, platform: 'linux', home: dir });
    expect(ours.problems).toEqual([]);
    expect(ours.contexts.length).toBe(2);
  });
});

describe('KUBECONFIG separators', () => {
  it('splits on ";" on Windows and ":" elsewhere, dropping empty and repeated entries', () => {
    expect(splitKubeconfigEnv('C:\\Users\\ana\\.kube\\config;D:\\k\\prod.yaml;;C:\\Users\\ana\\.kube\\config', 'win32')).toEqual([
      'C:\\Users\\ana\\.kube\\config',
      'D:\\k\\prod.yaml',
    ]);
    expect(splitKubeconfigEnv('/a:/b::/a', 'linux')).toEqual(['/a', '/b']);
  });

  it('uses ~/.kube/config when KUBECONFIG is unset, then the added files', () => {
    const { files } = kubeconfigFiles({ kubeconfigEnv: '', home: '/home/ana', extraFiles: ['/tmp/extra.yaml'] });
    expect(files).toEqual(['/home/ana/.kube/config', '/tmp/extra.yaml']);
  });
});
