// Server-side printing: meta.k8s.io/v1 Table objects with the columns a real API server
// returns, so `kubectl get` shows the usual columns without knowing anything about the sandbox.
import type { ResourceType } from './api-discovery';
import type { KubeObject } from './snapshot-types';

type Obj = Record<string, unknown>;
const rec = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(rec) : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

export interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

type Cell = string | number | boolean;

interface Printer {
  columns: Array<[name: string, type?: string, priority?: number]>;
  cells(obj: KubeObject, now: Date): Cell[];
}

/** kubectl's duration.HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const d = Math.floor(hours / 24) % 365;
    return d === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${d}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

function since(timestamp: unknown, now: Date): string {
  if (typeof timestamp !== 'string' || !timestamp) return '<unknown>';
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now.getTime() - t);
}

const age = (obj: KubeObject, now: Date) => since(obj.metadata.creationTimestamp, now);

/** The STATUS column of `kubectl get pods`, computed as the API server's printer does. */
export function podStatusReason(pod: KubeObject): { reason: string; ready: number; total: number; restarts: number; lastRestart?: number } {
  const spec = rec(pod.spec);
  const status = rec(pod.status);
  let reason = str(status.reason) || str(status.phase) || 'Pending';
  const total = arr(spec.containers).length;
  let ready = 0;
  let restarts = 0;
  let lastRestart: number | undefined;
  let initializing = false;
  const initStatuses = arr(status.initContainerStatuses);
  const initContainers = arr(spec.initContainers);
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i];
    restarts += Number(c.restartCount ?? 0);
    const state = rec(c.state);
    const terminated = state.terminated ? rec(state.terminated) : undefined;
    const waiting = state.waiting ? rec(state.waiting) : undefined;
    if (terminated && Number(terminated.exitCode ?? 0) === 0) continue;
    if (terminated) {
      reason = terminated.reason ? `Init:${str(terminated.reason)}` : terminated.signal ? `Init:Signal:${terminated.signal}` : `Init:ExitCode:${terminated.exitCode}`;
    } else if (waiting && waiting.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${str(waiting.reason)}`;
    } else {
      reason = `Init:${i}/${initContainers.length}`;
    }
    initializing = true;
    break;
  }
  const initializedTrue = arr(status.conditions).some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initializedTrue) {
    restarts = 0;
    let hasRunning = false;
    const statuses = arr(status.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      restarts += Number(c.restartCount ?? 0);
      const last = rec(rec(c.lastState).terminated);
      if (typeof last.finishedAt === 'string') {
        const t = Date.parse(last.finishedAt);
        if (!Number.isNaN(t) && (lastRestart === undefined || t > lastRestart)) lastRestart = t;
      }
      const state = rec(c.state);
      const waiting = state.waiting ? rec(state.waiting) : undefined;
      const terminated = state.terminated ? rec(state.terminated) : undefined;
      if (waiting && waiting.reason) reason = str(waiting.reason);
      else if (terminated && terminated.reason) reason = str(terminated.reason);
      else if (terminated) reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode}`;
      else if (c.ready === true && state.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = arr(status.conditions).some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
    }
  }
  if (pod.metadata.deletionTimestamp) reason = status.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return { reason, ready, total, restarts, lastRestart };
}

function printPod(pod: KubeObject, now: Date): Cell[] {
  const { reason, ready, total, restarts, lastRestart } = podStatusReason(pod);
  const spec = rec(pod.spec);
  const status = rec(pod.status);
  const restartCell = lastRestart !== undefined ? `${restarts} (${humanDuration(now.getTime() - lastRestart)} ago)` : String(restarts);
  const gates = arr(spec.readinessGates);
  const conditions = arr(status.conditions);
  const gatesCell = gates.length
    ? `${gates.filter((g) => conditions.some((c) => c.type === g.conditionType && c.status === 'True')).length}/${gates.length}`
    : '<none>';
  return [
    pod.metadata.name,
    `${ready}/${total}`,
    reason,
    restartCell,
    age(pod, now),
    str(status.podIP) || '<none>',
    str(spec.nodeName) || '<none>',
    str(status.nominatedNodeName) || '<none>',
    gatesCell,
  ];
}

function containersImagesSelector(obj: KubeObject): [string, string, string] {
  const spec = rec(obj.spec);
  const containers = arr(rec(rec(spec.template).spec).containers);
  const selector = rec(spec.selector);
  const labels = rec(selector.matchLabels);
  const sel = Object.entries(labels).map(([k, v]) => `${k}=${str(v)}`);
  for (const e of arr(selector.matchExpressions)) sel.push(`${str(e.key)} ${str(e.operator).toLowerCase()} (${(Array.isArray(e.values) ? e.values : []).join(',')})`);
  return [containers.map((c) => str(c.name)).join(','), containers.map((c) => str(c.image)).join(','), sel.join(',') || '<none>'];
}

function servicePorts(svc: KubeObject): string {
  const ports = arr(rec(svc.spec).ports);
  if (ports.length === 0) return '<none>';
  return ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${str(p.protocol) || 'TCP'}`).join(',');
}

function serviceExternalIp(svc: KubeObject): string {
  const spec = rec(svc.spec);
  const type = str(spec.type) || 'ClusterIP';
  const external = Array.isArray(spec.externalIPs) ? spec.externalIPs.map(str) : [];
  const lb = arr(rec(rec(svc.status).loadBalancer).ingress).map((i) => str(i.ip) || str(i.hostname)).filter(Boolean);
  if (type === 'ExternalName') return str(spec.externalName) || '<none>';
  if (type === 'LoadBalancer') {
    const all = [...lb, ...external];
    return all.length ? all.join(',') : '<pending>';
  }
  return external.length ? external.join(',') : '<none>';
}

const ACCESS_MODES: Record<string, string> = {
  ReadWriteOnce: 'RWO',
  ReadOnlyMany: 'ROX',
  ReadWriteMany: 'RWX',
  ReadWriteOncePod: 'RWOP',
};

function accessModes(modes: unknown): string {
  return (Array.isArray(modes) ? modes : []).map((m) => ACCESS_MODES[str(m)] ?? str(m)).join(',');
}

function nodeStatus(node: KubeObject): string {
  const conditions = arr(rec(node.status).conditions);
  const ready = conditions.find((c) => c.type === 'Ready');
  let status = !ready ? 'Unknown' : ready.status === 'True' ? 'Ready' : ready.status === 'False' ? 'NotReady' : 'Unknown';
  if (rec(node.spec).unschedulable === true) status += ',SchedulingDisabled';
  return status;
}

function nodeRoles(node: KubeObject): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) roles.add(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return roles.size ? [...roles].sort().join(',') : '<none>';
}

function nodeAddress(node: KubeObject, type: string): string {
  return str(arr(rec(node.status).addresses).find((a) => a.type === type)?.address) || '<none>';
}

function eventLastSeen(ev: KubeObject, now: Date): string {
  const last = ev.lastTimestamp ?? ev.eventTime ?? rec(ev.series).lastObservedTime ?? ev.metadata.creationTimestamp;
  const first = ev.firstTimestamp ?? ev.eventTime ?? ev.metadata.creationTimestamp;
  const count = Number(ev.count ?? rec(ev.series).count ?? 1);
  const lastSeen = since(last, now);
  return count > 1 ? `${lastSeen} (x${count} over ${since(first, now)})` : lastSeen;
}

function eventObject(ev: KubeObject): Obj {
  return rec(ev.involvedObject ?? ev.regarding);
}

const PRINTERS: Record<string, Printer> = {
  Pod: {
    columns: [['Name'], ['Ready'], ['Status'], ['Restarts', 'string'], ['Age'], ['IP', 'string', 1], ['Node', 'string', 1], ['Nominated Node', 'string', 1], ['Readiness Gates', 'string', 1]],
    cells: printPod,
  },
  Deployment: {
    columns: [['Name'], ['Ready'], ['Up-to-date', 'integer'], ['Available', 'integer'], ['Age'], ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1]],
    cells: (d, now) => {
      const spec = rec(d.spec);
      const status = rec(d.status);
      const desired = typeof spec.replicas === 'number' ? spec.replicas : 1;
      return [d.metadata.name, `${Number(status.readyReplicas ?? 0)}/${desired}`, Number(status.updatedReplicas ?? 0), Number(status.availableReplicas ?? 0), age(d, now), ...containersImagesSelector(d)];
    },
  },
  ReplicaSet: {
    columns: [['Name'], ['Desired', 'integer'], ['Current', 'integer'], ['Ready', 'integer'], ['Age'], ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1]],
    cells: (rs, now) => {
      const status = rec(rs.status);
      return [rs.metadata.name, Number(rec(rs.spec).replicas ?? 1), Number(status.replicas ?? 0), Number(status.readyReplicas ?? 0), age(rs, now), ...containersImagesSelector(rs)];
    },
  },
  StatefulSet: {
    columns: [['Name'], ['Ready'], ['Age'], ['Containers', 'string', 1], ['Images', 'string', 1]],
    cells: (s, now) => {
      const [containers, images] = containersImagesSelector(s);
      return [s.metadata.name, `${Number(rec(s.status).readyReplicas ?? 0)}/${Number(rec(s.spec).replicas ?? 1)}`, age(s, now), containers, images];
    },
  },
  DaemonSet: {
    columns: [['Name'], ['Desired', 'integer'], ['Current', 'integer'], ['Ready', 'integer'], ['Up-to-date', 'integer'], ['Available', 'integer'], ['Node Selector'], ['Age'], ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1]],
    cells: (d, now) => {
      const st = rec(d.status);
      const nodeSelector = Object.entries(rec(rec(rec(rec(d.spec).template).spec).nodeSelector)).map(([k, v]) => `${k}=${str(v)}`).join(',') || '<none>';
      return [d.metadata.name, Number(st.desiredNumberScheduled ?? 0), Number(st.currentNumberScheduled ?? 0), Number(st.numberReady ?? 0), Number(st.updatedNumberScheduled ?? 0), Number(st.numberAvailable ?? 0), nodeSelector, age(d, now), ...containersImagesSelector(d)];
    },
  },
  Service: {
    columns: [['Name'], ['Type'], ['Cluster-IP'], ['External-IP'], ['Port(s)'], ['Age'], ['Selector', 'string', 1]],
    cells: (s, now) => {
      const spec = rec(s.spec);
      const selector = Object.entries(rec(spec.selector)).map(([k, v]) => `${k}=${str(v)}`).join(',') || '<none>';
      return [s.metadata.name, str(spec.type) || 'ClusterIP', str(spec.clusterIP) || '<none>', serviceExternalIp(s), servicePorts(s), age(s, now), selector];
    },
  },
  PersistentVolumeClaim: {
    columns: [['Name'], ['Status'], ['Volume'], ['Capacity'], ['Access Modes'], ['StorageClass'], ['VolumeAttributesClass'], ['Age'], ['VolumeMode', 'string', 1]],
    cells: (p, now) => {
      const spec = rec(p.spec);
      const status = rec(p.status);
      const bound = !p.metadata.deletionTimestamp;
      const capacity = str(rec(status.capacity).storage);
      return [
        p.metadata.name,
        p.metadata.deletionTimestamp ? 'Terminating' : str(status.phase) || 'Pending',
        str(spec.volumeName),
        bound ? capacity : '',
        accessModes(status.accessModes ?? (capacity ? spec.accessModes : [])),
        str(spec.storageClassName) || str(p.metadata.annotations?.['volume.beta.kubernetes.io/storage-class']),
        str(spec.volumeAttributesClassName) || '<unset>',
        age(p, now),
        str(spec.volumeMode) || 'Filesystem',
      ];
    },
  },
  PersistentVolume: {
    columns: [['Name'], ['Capacity'], ['Access Modes'], ['Reclaim Policy'], ['Status'], ['Claim'], ['StorageClass'], ['VolumeAttributesClass'], ['Reason'], ['Age'], ['VolumeMode', 'string', 1]],
    cells: (pv, now) => {
      const spec = rec(pv.spec);
      const claim = rec(spec.claimRef);
      return [
        pv.metadata.name,
        str(rec(spec.capacity).storage),
        accessModes(spec.accessModes),
        str(spec.persistentVolumeReclaimPolicy),
        str(rec(pv.status).phase),
        claim.name ? `${str(claim.namespace)}/${str(claim.name)}` : '',
        str(spec.storageClassName),
        str(spec.volumeAttributesClassName) || '<unset>',
        str(rec(pv.status).reason),
        age(pv, now),
        str(spec.volumeMode) || 'Filesystem',
      ];
    },
  },
  Node: {
    columns: [['Name'], ['Status'], ['Roles'], ['Age'], ['Version'], ['Internal-IP', 'string', 1], ['External-IP', 'string', 1], ['OS-Image', 'string', 1], ['Kernel-Version', 'string', 1], ['Container-Runtime', 'string', 1]],
    cells: (n, now) => {
      const info = rec(rec(n.status).nodeInfo);
      return [n.metadata.name, nodeStatus(n), nodeRoles(n), age(n, now), str(info.kubeletVersion), nodeAddress(n, 'InternalIP'), nodeAddress(n, 'ExternalIP'), str(info.osImage) || '<unknown>', str(info.kernelVersion) || '<unknown>', str(info.containerRuntimeVersion) || '<unknown>'];
    },
  },
  Event: {
    columns: [['Last Seen'], ['Type'], ['Reason'], ['Object'], ['Subobject', 'string', 1], ['Source', 'string', 1], ['Message'], ['First Seen', 'string', 1], ['Count', 'string', 1], ['Name', 'string', 1]],
    cells: (ev, now) => {
      const involved = eventObject(ev);
      const source = rec(ev.source);
      return [
        eventLastSeen(ev, now),
        str(ev.type),
        str(ev.reason),
        `${str(involved.kind).toLowerCase()}/${str(involved.name)}`,
        str(involved.fieldPath),
        [str(source.component || ev.reportingController), str(source.host)].filter(Boolean).join(', '),
        str(ev.message ?? ev.note).trim(),
        since(ev.firstTimestamp ?? ev.eventTime, now),
        String(Number(ev.count ?? 1)),
        ev.metadata.name,
      ];
    },
  },
  Namespace: {
    columns: [['Name'], ['Status'], ['Age']],
    cells: (n, now) => [n.metadata.name, str(rec(n.status).phase) || 'Active', age(n, now)],
  },
  ConfigMap: {
    columns: [['Name'], ['Data', 'integer'], ['Age']],
    cells: (c, now) => [c.metadata.name, Object.keys(rec(c.data)).length + Object.keys(rec(c.binaryData)).length, age(c, now)],
  },
  Secret: {
    columns: [['Name'], ['Type'], ['Data', 'integer'], ['Age']],
    cells: (s, now) => [s.metadata.name, str(s.type) || 'Opaque', Object.keys(rec(s.data)).length + Object.keys(rec(s.stringData)).length, age(s, now)],
  },
  Ingress: {
    columns: [['Name'], ['Class'], ['Hosts'], ['Address'], ['Ports'], ['Age']],
    cells: (i, now) => {
      const spec = rec(i.spec);
      const hosts = arr(spec.rules).map((r) => str(r.host)).filter(Boolean);
      const address = arr(rec(rec(i.status).loadBalancer).ingress).map((x) => str(x.ip) || str(x.hostname)).filter(Boolean);
      return [i.metadata.name, str(spec.ingressClassName) || '<none>', hosts.join(',') || '*', address.join(','), arr(spec.tls).length ? '80, 443' : '80', age(i, now)];
    },
  },
  NetworkPolicy: {
    columns: [['Name'], ['Pod-Selector'], ['Age']],
    cells: (n, now) => {
      const labels = rec(rec(rec(n.spec).podSelector).matchLabels);
      return [n.metadata.name, Object.entries(labels).map(([k, v]) => `${k}=${str(v)}`).join(',') || '<none>', age(n, now)];
    },
  },
  Endpoints: {
    columns: [['Name'], ['Endpoints'], ['Age']],
    cells: (e, now) => {
      const list: string[] = [];
      for (const s of arr(e.subsets)) for (const a of arr(s.addresses)) for (const p of arr(s.ports)) list.push(`${str(a.ip)}:${p.port}`);
      return [e.metadata.name, list.length === 0 ? '<none>' : list.slice(0, 3).join(',') + (list.length > 3 ? ` + ${list.length - 3} more...` : ''), age(e, now)];
    },
  },
  Job: {
    columns: [['Name'], ['Status'], ['Completions'], ['Duration'], ['Age']],
    cells: (j, now) => {
      const status = rec(j.status);
      const completions = `${Number(status.succeeded ?? 0)}/${Number(rec(j.spec).completions ?? 1)}`;
      const conds = arr(status.conditions);
      const state = conds.some((c) => c.type === 'Complete' && c.status === 'True') ? 'Complete' : conds.some((c) => c.type === 'Failed' && c.status === 'True') ? 'Failed' : 'Running';
      const start = Date.parse(str(status.startTime));
      const end = Date.parse(str(status.completionTime)) || now.getTime();
      return [j.metadata.name, state, completions, Number.isNaN(start) ? '' : humanDuration(end - start), age(j, now)];
    },
  },
  HorizontalPodAutoscaler: {
    columns: [['Name'], ['Reference'], ['Targets'], ['MinPods', 'string'], ['MaxPods', 'string'], ['Replicas', 'string'], ['Age']],
    cells: (h, now) => {
      const spec = rec(h.spec);
      const ref = rec(spec.scaleTargetRef);
      return [h.metadata.name, `${str(ref.kind)}/${str(ref.name)}`, '<unknown>', String(spec.minReplicas ?? 1), String(spec.maxReplicas ?? ''), String(rec(h.status).currentReplicas ?? 0), age(h, now)];
    },
  },
  StorageClass: {
    columns: [['Name'], ['Provisioner'], ['ReclaimPolicy'], ['VolumeBindingMode'], ['AllowVolumeExpansion'], ['Age']],
    cells: (s, now) => {
      const isDefault = s.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true';
      return [s.metadata.name + (isDefault ? ' (default)' : ''), str(s.provisioner), str(s.reclaimPolicy) || 'Delete', str(s.volumeBindingMode) || 'Immediate', String(s.allowVolumeExpansion === true), age(s, now)];
    },
  },
};

function jsonPathValue(obj: unknown, jsonPath: string): unknown {
  // The simple `.a.b[0].c` paths CRDs use for additionalPrinterColumns.
  let value: unknown = obj;
  const segments = jsonPath.replace(/^\{?\.?/, '').replace(/\}$/, '').split('.').filter(Boolean);
  for (const segment of segments) {
    const m = segment.match(/^([^[\]]+)((?:\[\d+\])*)$/);
    if (!m) return undefined;
    value = rec(value)[m[1]];
    for (const idx of m[2].match(/\d+/g) ?? []) value = Array.isArray(value) ? value[Number(idx)] : undefined;
  }
  return value;
}

function printerFor(type: ResourceType): Printer {
  if (type.group === '' || !type.printerColumns?.length) {
    const builtin = PRINTERS[type.kind];
    if (builtin && (type.group === '' || !type.group.includes('.') || type.group.endsWith('.k8s.io') || type.group === 'apps' || type.group === 'batch' || type.group === 'autoscaling' || type.group === 'policy')) {
      return builtin;
    }
  }
  const extra = type.printerColumns ?? [];
  return {
    columns: [['Name'], ...extra.map((c) => [c.name, c.type, c.priority ?? 0] as [string, string, number]), ...(extra.some((c) => c.jsonPath === '.metadata.creationTimestamp') ? [] : [['Age'] as [string]])],
    cells: (obj, now) => [
      obj.metadata.name,
      ...extra.map((c) => {
        const v = jsonPathValue(obj, c.jsonPath);
        if (c.type === 'date') return since(v, now);
        if (v === undefined || v === null) return '';
        return typeof v === 'object' ? JSON.stringify(v) : (v as Cell);
      }),
      ...(extra.some((c) => c.jsonPath === '.metadata.creationTimestamp') ? [] : [age(obj, now)]),
    ],
  };
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function columnDefinitions(type: ResourceType): ColumnDefinition[] {
  return printerFor(type).columns.map(([name, colType, priority]) => ({
    name,
    type: colType ?? 'string',
    format: name === 'Name' ? 'name' : '',
    description: '',
    priority: priority ?? 0,
  }));
}

export function tableRow(type: ResourceType, obj: KubeObject, includeObject: IncludeObject, now: Date): Obj {
  const row: Obj = { cells: printerFor(type).cells(obj, now) };
  if (includeObject === 'Object') row.object = obj;
  else if (includeObject === 'Metadata') row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
  return row;
}

export function buildTable(
  type: ResourceType,
  objects: KubeObject[],
  opts: { includeObject: IncludeObject; now: Date; listMeta?: Obj; withColumns?: boolean },
): Obj {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: opts.listMeta ?? {},
    ...(opts.withColumns === false ? {} : { columnDefinitions: columnDefinitions(type) }),
    rows: objects.map((o) => tableRow(type, o, opts.includeObject, opts.now)),
  };
}

/** Accept header asks for a Table (`application/json;as=Table;v=v1;g=meta.k8s.io`). */
export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => {
    const params = part.split(';').map((p) => p.trim());
    return params.includes('as=Table') && params.includes('g=meta.k8s.io') && (params.includes('v=v1') || params.includes('v=v1beta1'));
  });
}
