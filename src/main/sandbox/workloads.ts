// What the controllers of a real cluster would do after a write, in a small form: Deployments
// roll out ReplicaSets and pods, StatefulSets keep ordinal pods, new pods go Pending → Running
// (→ Succeeded for run-once pods), deleted owners take their dependents with them, and the
// Endpoints/EndpointSlices of Services follow the pods they select.
import { createHash, randomInt } from 'node:crypto';
import { matchesLabels, requirementsFromLabelSelector } from './selectors';
import type { ObjectStore } from './store';
import { cloneObject } from './store';
import { findExecReply } from './scenario-match';
import type { ExecReply, KubeObject } from './snapshot-types';
import { ordinal } from '../../shared/ordinal';

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function randomSuffix(length = 5): string {
  let out = '';
  for (let i = 0; i < length; i++) out += SAFE_ALPHABET[randomInt(SAFE_ALPHABET.length)];
  return out;
}

export function podTemplateHash(template: unknown): string {
  const digest = createHash('sha256').update(JSON.stringify(template ?? {})).digest();
  let out = '';
  for (let i = 0; i < 10; i++) out += SAFE_ALPHABET[digest[i] % SAFE_ALPHABET.length];
  return out;
}

type Obj = Record<string, unknown>;
const rec = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(rec) : []);

export interface WorkloadOptions {
  /** Time from a pod's creation until it reports Ready (and from Running to Succeeded). */
  podReadyDelayMs: number;
  now: () => Date;
  exec: ExecReply[];
}

export interface RuntimeLog {
  namespace: string;
  pod: string;
  container: string;
  lines: string[];
}

export function isPodReady(pod: KubeObject): boolean {
  const status = rec(pod.status);
  return status.phase === 'Running' && arr(status.conditions).some((c) => c.type === 'Ready' && c.status === 'True');
}

function ownerOf(obj: KubeObject, kind: string): { name: string; uid: string } | undefined {
  return obj.metadata.ownerReferences?.find((o) => o.kind === kind && o.controller !== false);
}

export class WorkloadSimulator {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly runtimeLogs: RuntimeLog[] = [];
  private stopped = false;

  constructor(private readonly store: ObjectStore, private readonly options: WorkloadOptions) {}

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  logsOf(namespace: string, pod: string, container: string): RuntimeLog | undefined {
    return this.runtimeLogs.find((l) => l.namespace === namespace && l.pod === pod && l.container === container);
  }

  private stamp(): string {
    return this.options.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  private later(fn: () => void, delayMs = this.options.podReadyDelayMs): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) fn();
    }, delayMs);
    this.timers.add(t);
  }

  /** Called after every stored (not dry-run) write with the object before and after it. */
  afterWrite(before: KubeObject | undefined, after: KubeObject | undefined): void {
    const obj = after ?? before;
    if (!obj) return;
    const group = obj.apiVersion.split('/').length > 1 ? obj.apiVersion.split('/')[0] : '';
    if (!after && before) {
      this.collectDependents(before);
      if (before.kind === 'Pod' && group === '') this.afterPodDeleted(before);
      return;
    }
    if (!after) return;
    if (group === 'apps' && after.kind === 'Deployment') this.reconcileDeployment(after, before);
    else if (group === 'apps' && after.kind === 'StatefulSet') this.reconcileStatefulSet(after, before);
    else if (group === 'apps' && after.kind === 'ReplicaSet' && !ownerOf(after, 'Deployment')) this.reconcileReplicaSet(after);
    else if (group === '' && after.kind === 'Pod' && !before) this.startPod(after);
    else if (group === '' && after.kind === 'Service') this.syncEndpoints(after.metadata.namespace ?? '', [], after);
  }

  // ---- garbage collection

  private collectDependents(owner: KubeObject): void {
    const uid = owner.metadata.uid;
    if (!uid) return;
    for (const dependent of this.store.all()) {
      if (!dependent.metadata.ownerReferences?.some((o) => o.uid === uid)) continue;
      const g = dependent.apiVersion.includes('/') ? dependent.apiVersion.split('/')[0] : '';
      const removed = this.store.delete(g, dependent.kind, dependent.metadata.namespace, dependent.metadata.name);
      if (removed) this.collectDependents(removed);
    }
    if (owner.kind === 'Pod') this.syncEndpoints(owner.metadata.namespace ?? '', [owner]);
  }

  /** The workloads that own a pod: its ReplicaSet and that one's Deployment, or its StatefulSet. */
  private podOwners(pod: KubeObject): { rs?: KubeObject; deploy?: KubeObject; sts?: KubeObject } {
    const ns = pod.metadata.namespace ?? '';
    const rsRef = ownerOf(pod, 'ReplicaSet');
    const rs = rsRef ? this.store.get('apps', 'ReplicaSet', ns, rsRef.name) : undefined;
    const deployRef = rs && ownerOf(rs, 'Deployment');
    const deploy = deployRef ? this.store.get('apps', 'Deployment', ns, deployRef.name) : undefined;
    const stsRef = ownerOf(pod, 'StatefulSet');
    const sts = stsRef ? this.store.get('apps', 'StatefulSet', ns, stsRef.name) : undefined;
    return { rs, deploy, sts };
  }

  private afterPodDeleted(pod: KubeObject): void {
    this.syncEndpoints(pod.metadata.namespace ?? '', [pod]);
    const { rs, deploy, sts } = this.podOwners(pod);
    if (deploy) this.reconcileDeployment(deploy, deploy);
    else if (rs) this.reconcileReplicaSet(rs);
    if (sts) this.reconcileStatefulSet(sts, sts);
  }

  // ---- pods

  private nodeFor(siblings: KubeObject[]): string | undefined {
    const fromSibling = siblings.map((p) => rec(p.spec).nodeName).find((n): n is string => typeof n === 'string');
    if (fromSibling) return fromSibling;
    const nodes = this.store.list('', 'Node');
    const ready = nodes.find((n) => arr(rec(n.status).conditions).some((c) => c.type === 'Ready' && c.status === 'True'));
    return (ready ?? nodes[0])?.metadata.name;
  }

  private hostIp(nodeName: string | undefined): string | undefined {
    if (!nodeName) return undefined;
    const node = this.store.get('', 'Node', undefined, nodeName);
    const address = arr(rec(node?.status).addresses).find((a) => a.type === 'InternalIP');
    return typeof address?.address === 'string' ? address.address : undefined;
  }

  private newPod(namespace: string, name: string, template: Obj, owner: KubeObject, extraLabels: Record<string, string>, siblings: KubeObject[]): KubeObject {
    const meta = rec(template.metadata);
    const spec = cloneObject(rec(template.spec));
    const nodeName = this.nodeFor(siblings);
    if (nodeName) spec.nodeName = nodeName;
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace,
        labels: { ...(rec(meta.labels) as Record<string, string>), ...extraLabels },
        ...(meta.annotations ? { annotations: cloneObject(meta.annotations as Record<string, string>) } : {}),
        ownerReferences: [
          { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid ?? '', controller: true, blockOwnerDeletion: true } as never,
        ],
      },
      spec,
      status: {},
    };
  }

  private pendingStatus(pod: KubeObject): Obj {
    const spec = rec(pod.spec);
    const nodeName = typeof spec.nodeName === 'string' ? spec.nodeName : undefined;
    const hostIP = this.hostIp(nodeName);
    return {
      phase: 'Pending',
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: this.stamp() },
        { type: 'Ready', status: 'False', reason: 'ContainersNotReady', lastTransitionTime: this.stamp() },
      ],
      ...(hostIP ? { hostIP, hostIPs: [{ ip: hostIP }] } : {}),
      startTime: this.stamp(),
      qosClass: 'BestEffort',
      containerStatuses: arr(spec.containers).map((c) => ({
        name: c.name,
        image: c.image,
        imageID: '',
        ready: false,
        restartCount: 0,
        started: false,
        state: { waiting: { reason: 'ContainerCreating' } },
        lastState: {},
      })),
    };
  }

  /** Pod created by a controller or a client: schedule it, then run it. */
  private startPod(pod: KubeObject): void {
    const current = cloneObject(pod);
    const status = rec(current.status);
    if (status.phase && status.phase !== 'Pending') return;
    if (!rec(current.spec).nodeName) {
      const node = this.nodeFor([]);
      if (node) (current.spec as Obj).nodeName = node;
    }
    current.status = this.pendingStatus(current);
    const stored = this.store.update(current);
    this.later(() => this.runPod(stored.metadata.namespace ?? '', stored.metadata.name, stored.metadata.uid));
  }

  private runPod(namespace: string, name: string, uid: string | undefined): void {
    const pod = this.store.get('', 'Pod', namespace, name);
    if (!pod || pod.metadata.uid !== uid) return;
    const next = cloneObject(pod);
    const status = rec(next.status);
    const now = this.stamp();
    status.phase = 'Running';
    status.podIP = `10.244.${randomInt(0, 8)}.${randomInt(2, 254)}`;
    status.podIPs = [{ ip: status.podIP }];
    status.conditions = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({
      type,
      status: 'True',
      lastTransitionTime: now,
    }));
    status.containerStatuses = arr(status.containerStatuses).map((c) => ({
      ...c,
      ready: true,
      started: true,
      state: { running: { startedAt: now } },
    }));
    next.status = status;
    this.store.update(next);
    this.recordRunOnceOutput(next);
    this.afterPodChange(next);
    const restartPolicy = rec(next.spec).restartPolicy;
    if (restartPolicy === 'Never' || restartPolicy === 'OnFailure') {
      this.later(() => this.completePod(namespace, name, uid));
    }
  }

  private completePod(namespace: string, name: string, uid: string | undefined): void {
    const pod = this.store.get('', 'Pod', namespace, name);
    if (!pod || pod.metadata.uid !== uid) return;
    const next = cloneObject(pod);
    const status = rec(next.status);
    const now = this.stamp();
    status.phase = 'Succeeded';
    status.conditions = arr(status.conditions).map((c) =>
      c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False', reason: 'PodCompleted', lastTransitionTime: now } : c,
    );
    status.containerStatuses = arr(status.containerStatuses).map((c) => ({
      ...c,
      ready: false,
      started: false,
      state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: rec(rec(c.state).running).startedAt ?? now, finishedAt: now } },
    }));
    next.status = status;
    this.store.update(next);
    this.afterPodChange(next);
  }

  /** A run-once pod (e.g. a busybox nslookup probe) prints what the scenario's exec replies say. */
  private recordRunOnceOutput(pod: KubeObject): void {
    const ns = pod.metadata.namespace ?? '';
    for (const c of arr(rec(pod.spec).containers)) {
      const argv = [...(Array.isArray(c.command) ? c.command : []), ...(Array.isArray(c.args) ? c.args : [])].map(String);
      if (argv.length === 0) continue;
      const reply = findExecReply({ exec: this.options.exec }, { namespace: ns, pod: pod.metadata.name, container: String(c.name), command: argv });
      if (!reply) continue;
      const stamp = this.options.now().toISOString();
      const lines = (reply.stdout + reply.stderr).split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);
      this.runtimeLogs.push({ namespace: ns, pod: pod.metadata.name, container: String(c.name), lines: lines.map((l) => `${stamp} ${l}`) });
    }
  }

  private afterPodChange(pod: KubeObject): void {
    this.syncEndpoints(pod.metadata.namespace ?? '', [pod]);
    const { rs, deploy, sts } = this.podOwners(pod);
    if (deploy) this.progressRollout(deploy);
    else if (rs) this.refreshReplicaSetStatus(rs);
    if (sts) this.refreshStatefulSetStatus(sts);
  }

  // ---- deployments

  private selectedPods(namespace: string, selector: unknown): KubeObject[] {
    const reqs = requirementsFromLabelSelector(selector);
    if (reqs.length === 0) return [];
    return this.store.list('', 'Pod', namespace).filter((p) => matchesLabels(p.metadata.labels, reqs) && !p.metadata.deletionTimestamp);
  }

  private replicaSetsOf(deploy: KubeObject): KubeObject[] {
    return this.store
      .list('apps', 'ReplicaSet', deploy.metadata.namespace)
      .filter((rs) => rs.metadata.ownerReferences?.some((o) => o.kind === 'Deployment' && (o.uid === deploy.metadata.uid || o.name === deploy.metadata.name)));
  }

  private revisionOf(obj: KubeObject): number {
    return Number(obj.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0) || 0;
  }

  /** The ReplicaSet for the deployment's current template, created when it is missing. */
  private currentReplicaSet(deploy: KubeObject, templateChanged: boolean): KubeObject {
    const ns = deploy.metadata.namespace ?? '';
    const spec = rec(deploy.spec);
    const sets = this.replicaSetsOf(deploy).sort((a, b) => this.revisionOf(b) - this.revisionOf(a));
    if (!templateChanged && sets[0]) return sets[0];
    let hash = podTemplateHash(spec.template);
    if (!templateChanged) {
      // The snapshot has pods but no ReplicaSet: adopt the hash the pods carry.
      const podHash = this.selectedPods(ns, spec.selector)
        .map((p) => p.metadata.labels?.['pod-template-hash'])
        .find((h): h is string => Boolean(h));
      if (podHash) hash = podHash;
    }
    const name = `${deploy.metadata.name}-${hash}`;
    const existing = this.store.get('apps', 'ReplicaSet', ns, name);
    if (existing) return existing;
    const template = cloneObject(rec(spec.template));
    const templateMeta = rec(template.metadata);
    templateMeta.labels = { ...(rec(templateMeta.labels) as Record<string, string>), 'pod-template-hash': hash };
    template.metadata = templateMeta;
    const selector = cloneObject(rec(spec.selector));
    selector.matchLabels = { ...(rec(selector.matchLabels) as Record<string, string>), 'pod-template-hash': hash };
    const revision = Math.max(this.revisionOf(deploy), ...sets.map((s) => this.revisionOf(s))) + 1;
    return this.store.create({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: ns,
        labels: templateMeta.labels as Record<string, string>,
        annotations: {
          'deployment.kubernetes.io/desired-replicas': String(spec.replicas ?? 1),
          'deployment.kubernetes.io/revision': String(revision),
        },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: deploy.metadata.name, uid: deploy.metadata.uid ?? '', controller: true }],
      },
      spec: { replicas: 0, selector, template },
      status: { replicas: 0, observedGeneration: 1 },
    });
  }

  private podsOfReplicaSet(rs: KubeObject, deployPods: KubeObject[], isCurrent: boolean): KubeObject[] {
    const hash = rs.metadata.labels?.['pod-template-hash'];
    return deployPods.filter((p) => {
      const owner = ownerOf(p, 'ReplicaSet');
      if (owner) return owner.name === rs.metadata.name;
      const podHash = p.metadata.labels?.['pod-template-hash'];
      return podHash ? podHash === hash : isCurrent;
    });
  }

  private reconcileDeployment(deploy: KubeObject, before: KubeObject | undefined): void {
    const ns = deploy.metadata.namespace ?? '';
    const spec = rec(deploy.spec);
    const templateChanged = !before || JSON.stringify(rec(before.spec).template) !== JSON.stringify(spec.template);
    const desired = typeof spec.replicas === 'number' ? spec.replicas : 1;
    const current = this.currentReplicaSet(deploy, templateChanged);
    const deployPods = this.selectedPods(ns, spec.selector);
    const ownPods = this.podsOfReplicaSet(current, deployPods, true);
    const hash = current.metadata.labels?.['pod-template-hash'] ?? podTemplateHash(spec.template);
    if (ownPods.length < desired) {
      for (let i = ownPods.length; i < desired; i++) {
        const pod = this.store.create(
          this.newPod(ns, `${current.metadata.name}-${randomSuffix()}`, rec(rec(current.spec).template), current, { 'pod-template-hash': hash }, deployPods),
        );
        this.startPod(pod);
      }
    } else if (ownPods.length > desired) {
      const victims = [...ownPods]
        .sort((a, b) => Number(isPodReady(a)) - Number(isPodReady(b)) || ordinal(String(b.metadata.creationTimestamp), String(a.metadata.creationTimestamp)))
        .slice(0, ownPods.length - desired);
      for (const pod of victims) this.store.delete('', 'Pod', ns, pod.metadata.name);
      this.syncEndpoints(ns, victims);
    }
    const rsNow = this.store.get('apps', 'ReplicaSet', ns, current.metadata.name);
    if (rsNow && rec(rsNow.spec).replicas !== desired) {
      const next = cloneObject(rsNow);
      (next.spec as Obj).replicas = desired;
      next.metadata.annotations = { ...(next.metadata.annotations ?? {}), 'deployment.kubernetes.io/desired-replicas': String(desired) };
      this.store.update(next);
    }
    const latest = this.store.get('apps', 'Deployment', ns, deploy.metadata.name);
    if (latest) {
      const revision = this.revisionOf(this.store.get('apps', 'ReplicaSet', ns, current.metadata.name) ?? current);
      if (revision && this.revisionOf(latest) !== revision) {
        const next = cloneObject(latest);
        next.metadata.annotations = { ...(next.metadata.annotations ?? {}), 'deployment.kubernetes.io/revision': String(revision) };
        this.store.update(next);
      }
      this.progressRollout(this.store.get('apps', 'Deployment', ns, deploy.metadata.name) ?? latest);
    }
  }

  /** Once the new ReplicaSet's pods are ready, old pods go away; status follows the pods. */
  private progressRollout(deploy: KubeObject): void {
    const ns = deploy.metadata.namespace ?? '';
    const spec = rec(deploy.spec);
    const desired = typeof spec.replicas === 'number' ? spec.replicas : 1;
    const sets = this.replicaSetsOf(deploy).sort((a, b) => this.revisionOf(b) - this.revisionOf(a));
    const current = sets[0];
    let pods = this.selectedPods(ns, spec.selector);
    const newPods = current ? this.podsOfReplicaSet(current, pods, true) : pods;
    const newReady = newPods.filter(isPodReady).length;
    const oldPods = pods.filter((p) => !newPods.includes(p));
    if (current && oldPods.length > 0 && newReady >= desired) {
      for (const pod of oldPods) this.store.delete('', 'Pod', ns, pod.metadata.name);
      this.syncEndpoints(ns, oldPods);
      for (const rs of sets.slice(1)) {
        if (rec(rs.spec).replicas === 0 && rec(rs.status).replicas === 0) continue;
        const next = cloneObject(rs);
        (next.spec as Obj).replicas = 0;
        next.status = { replicas: 0, observedGeneration: next.metadata.generation ?? 1 };
        this.store.update(next);
      }
      pods = this.selectedPods(ns, spec.selector);
    }
    if (current) this.refreshReplicaSetStatus(current);
    const ready = pods.filter(isPodReady).length;
    const updated = (current ? this.podsOfReplicaSet(current, pods, true) : pods).length;
    const complete = updated === desired && pods.length === desired && ready === desired;
    const now = this.stamp();
    const status = cloneObject(rec(deploy.status));
    status.observedGeneration = deploy.metadata.generation ?? 1;
    status.replicas = pods.length;
    status.updatedReplicas = updated;
    status.readyReplicas = ready;
    status.availableReplicas = ready;
    if (pods.length - ready > 0) status.unavailableReplicas = pods.length - ready;
    else delete status.unavailableReplicas;
    const conditions = arr(status.conditions).filter((c) => c.type !== 'Available' && c.type !== 'Progressing');
    conditions.push({
      type: 'Available',
      status: ready >= desired ? 'True' : 'False',
      reason: ready >= desired ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
      message: ready >= desired ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.',
      lastUpdateTime: now,
      lastTransitionTime: now,
    });
    conditions.push({
      type: 'Progressing',
      status: 'True',
      reason: complete ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated',
      message: complete
        ? `ReplicaSet "${current?.metadata.name ?? deploy.metadata.name}" has successfully progressed.`
        : `ReplicaSet "${current?.metadata.name ?? deploy.metadata.name}" is progressing.`,
      lastUpdateTime: now,
      lastTransitionTime: now,
    });
    status.conditions = conditions;
    const next = cloneObject(deploy);
    next.status = status;
    this.store.update(next);
  }

  private refreshReplicaSetStatus(rs: KubeObject): void {
    const latest = this.store.get('apps', 'ReplicaSet', rs.metadata.namespace, rs.metadata.name);
    if (!latest) return;
    const pods = this.store.list('', 'Pod', latest.metadata.namespace).filter((p) => ownerOf(p, 'ReplicaSet')?.name === latest.metadata.name);
    const ready = pods.filter(isPodReady).length;
    const status = { ...rec(latest.status), replicas: pods.length, readyReplicas: ready, availableReplicas: ready, fullyLabeledReplicas: pods.length, observedGeneration: latest.metadata.generation ?? 1 };
    if (JSON.stringify(status) === JSON.stringify(latest.status)) return;
    this.store.update({ ...cloneObject(latest), status });
  }

  private reconcileReplicaSet(rs: KubeObject): void {
    const ns = rs.metadata.namespace ?? '';
    const spec = rec(rs.spec);
    const desired = typeof spec.replicas === 'number' ? spec.replicas : 1;
    const pods = this.selectedPods(ns, spec.selector).filter((p) => ownerOf(p, 'ReplicaSet')?.name === rs.metadata.name || !ownerOf(p, 'ReplicaSet'));
    for (let i = pods.length; i < desired; i++) {
      const pod = this.store.create(this.newPod(ns, `${rs.metadata.name}-${randomSuffix()}`, rec(spec.template), rs, {}, pods));
      this.startPod(pod);
    }
    for (const pod of pods.slice(desired)) this.store.delete('', 'Pod', ns, pod.metadata.name);
    this.refreshReplicaSetStatus(rs);
  }

  // ---- statefulsets

  private reconcileStatefulSet(sts: KubeObject, before: KubeObject | undefined): void {
    const ns = sts.metadata.namespace ?? '';
    const spec = rec(sts.spec);
    const desired = typeof spec.replicas === 'number' ? spec.replicas : 1;
    const templateChanged = before !== undefined && JSON.stringify(rec(before.spec).template) !== JSON.stringify(spec.template);
    const name = sts.metadata.name;
    const existing = this.selectedPods(ns, spec.selector);
    for (let ordinal = 0; ordinal < Math.max(desired, existing.length + desired); ordinal++) {
      const podName = `${name}-${ordinal}`;
      const pod = this.store.get('', 'Pod', ns, podName);
      if (ordinal >= desired) {
        if (pod) {
          this.store.delete('', 'Pod', ns, podName);
          this.syncEndpoints(ns, [pod]);
        }
        continue;
      }
      if (pod && !templateChanged) continue;
      if (pod) this.store.delete('', 'Pod', ns, podName);
      const created = this.store.create(
        this.newPod(ns, podName, rec(spec.template), sts, { 'statefulset.kubernetes.io/pod-name': podName, 'apps.kubernetes.io/pod-index': String(ordinal) }, existing),
      );
      // Claims of volumeClaimTemplates keep their names, so the new pod mounts the same data.
      this.startPod(created);
    }
    this.refreshStatefulSetStatus(sts);
  }

  private refreshStatefulSetStatus(sts: KubeObject): void {
    const latest = this.store.get('apps', 'StatefulSet', sts.metadata.namespace, sts.metadata.name);
    if (!latest) return;
    const pods = this.selectedPods(latest.metadata.namespace ?? '', rec(latest.spec).selector);
    const ready = pods.filter(isPodReady).length;
    const status = {
      ...rec(latest.status),
      observedGeneration: latest.metadata.generation ?? 1,
      replicas: pods.length,
      readyReplicas: ready,
      availableReplicas: ready,
      currentReplicas: pods.length,
      updatedReplicas: pods.length,
    };
    if (JSON.stringify(status) === JSON.stringify(latest.status)) return;
    this.store.update({ ...cloneObject(latest), status });
  }

  // ---- endpoints

  /** Recomputes Endpoints and EndpointSlices of the Services that select any of `changedPods`. */
  syncEndpoints(namespace: string, changedPods: KubeObject[], onlyService?: KubeObject): void {
    const services = onlyService ? [onlyService] : this.store.list('', 'Service', namespace);
    for (const svc of services) {
      const selector = rec(svc.spec).selector;
      const reqs = requirementsFromLabelSelector(selector);
      if (reqs.length === 0) continue;
      if (!onlyService && !changedPods.some((p) => matchesLabels(p.metadata.labels, reqs))) continue;
      const pods = this.store.list('', 'Pod', namespace).filter((p) => matchesLabels(p.metadata.labels, reqs) && rec(p.status).podIP);
      this.writeEndpoints(svc, pods);
    }
  }

  private targetPort(servicePort: Obj, pods: KubeObject[]): number {
    const target = servicePort.targetPort ?? servicePort.port;
    if (typeof target === 'number') return target;
    for (const pod of pods) {
      for (const c of arr(rec(pod.spec).containers)) {
        const p = arr(c.ports).find((x) => x.name === target);
        if (p && typeof p.containerPort === 'number') return p.containerPort;
      }
    }
    return Number(servicePort.port) || 0;
  }

  private writeEndpoints(svc: KubeObject, pods: KubeObject[]): void {
    const ns = svc.metadata.namespace ?? '';
    const name = svc.metadata.name;
    const servicePorts = arr(rec(svc.spec).ports);
    const ports = servicePorts.map((p) => ({
      ...(p.name ? { name: p.name } : {}),
      port: this.targetPort(p, pods),
      protocol: p.protocol ?? 'TCP',
    }));
    const address = (p: KubeObject) => ({
      ip: rec(p.status).podIP,
      ...(rec(p.spec).nodeName ? { nodeName: rec(p.spec).nodeName } : {}),
      targetRef: { kind: 'Pod', namespace: ns, name: p.metadata.name, uid: p.metadata.uid },
    });
    const ready = pods.filter(isPodReady);
    const notReady = pods.filter((p) => !isPodReady(p) && rec(p.status).phase !== 'Succeeded' && rec(p.status).phase !== 'Failed');
    const subsets =
      pods.length === 0
        ? undefined
        : [{ ...(ready.length ? { addresses: ready.map(address) } : {}), ...(notReady.length ? { notReadyAddresses: notReady.map(address) } : {}), ports }];
    const existing = this.store.get('', 'Endpoints', ns, name);
    const endpoints: KubeObject = existing
      ? cloneObject(existing)
      : { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: ns, labels: { ...(svc.metadata.labels ?? {}) } } };
    if (subsets) endpoints.subsets = subsets;
    else delete endpoints.subsets;
    if (!existing) this.store.create(endpoints);
    else if (JSON.stringify(existing.subsets) !== JSON.stringify(endpoints.subsets)) this.store.update(endpoints);

    const sliceEndpoints = [...ready, ...notReady].map((p) => ({
      addresses: [rec(p.status).podIP],
      conditions: { ready: isPodReady(p), serving: isPodReady(p), terminating: false },
      ...(rec(p.spec).nodeName ? { nodeName: rec(p.spec).nodeName } : {}),
      targetRef: { kind: 'Pod', namespace: ns, name: p.metadata.name, uid: p.metadata.uid },
    }));
    const slices = this.store.list('discovery.k8s.io', 'EndpointSlice', ns).filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === name);
    const slice: KubeObject = slices[0]
      ? cloneObject(slices[0])
      : {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: {
            name: `${name}-${randomSuffix()}`,
            namespace: ns,
            labels: { 'kubernetes.io/service-name': name, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
            ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name, uid: svc.metadata.uid ?? '', controller: true }],
          },
          addressType: 'IPv4',
        };
    slice.endpoints = sliceEndpoints;
    slice.ports = ports;
    if (!slices[0]) this.store.create(slice);
    else if (JSON.stringify(slices[0].endpoints) !== JSON.stringify(slice.endpoints) || JSON.stringify(slices[0].ports) !== JSON.stringify(slice.ports)) {
      this.store.update(slice);
    }
  }
}
