// Rollout restarts the runbook prescribes: backend (502s, after a JWT rotation), ML service,
// CoreDNS and Prometheus. The same patch `kubectl rollout restart` sends: a restartedAt
// annotation on the pod template, so the Deployment rolls out new pods.
import type { LocalizedText } from '../../shared/checks';
import { defineAction, deploymentRef, describeRef, type AnyActionDefinition } from './types';

type RestartId = 'rollout-restart:backend' | 'rollout-restart:ml-service' | 'rollout-restart:coredns' | 'rollout-restart:prometheus';

interface RestartTarget {
  id: RestartId;
  deployment: string;
  /** Fixed namespace (CoreDNS lives in kube-system), else the traffic-system's. */
  namespace?: string;
  title: LocalizedText;
  runbook: string;
}

const TARGETS: RestartTarget[] = [
  {
    id: 'rollout-restart:backend',
    deployment: 'traffic-system-backend',
    title: { es: 'Reiniciar el backend', en: 'Restart the backend' },
    runbook: '1. Problemas de Conectividad › Frontend no puede conectar al Backend',
  },
  {
    id: 'rollout-restart:ml-service',
    deployment: 'traffic-system-ml-service',
    title: { es: 'Reiniciar el ML service', en: 'Restart the ML service' },
    runbook: '2. Problemas de Performance › Alto Tiempo de Respuesta en ML Service',
  },
  {
    id: 'rollout-restart:coredns',
    deployment: 'coredns',
    namespace: 'kube-system',
    title: { es: 'Reiniciar CoreDNS', en: 'Restart CoreDNS' },
    runbook: '5. Problemas de Red › DNS Resolution Issues',
  },
  {
    id: 'rollout-restart:prometheus',
    deployment: 'traffic-system-prometheus-server',
    title: { es: 'Reiniciar Prometheus', en: 'Restart Prometheus' },
    runbook: '6. Problemas de Monitoreo › Prometheus No Collecta Métricas',
  },
];

/** The body `kubectl rollout restart` patches with. */
export function restartPatch(at: Date): unknown {
  return { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': at.toISOString().replace(/\.\d{3}Z$/, 'Z') } } } } };
}

export const rolloutRestartActions: AnyActionDefinition[] = TARGETS.map((t) =>
  defineAction({
    id: t.id,
    title: t.title,
    runbook: t.runbook,
    mode: 'objects',
    destructive: false,
    paramDocs: {},
    requirements: ({ namespace }) => [{ verb: 'patch', resource: 'deployments', group: 'apps', namespace: t.namespace ?? namespace, name: t.deployment }],
    draft: async ({ namespace, now }) => {
      const ref = deploymentRef(t.deployment, t.namespace ?? namespace);
      return {
        target: describeRef(ref),
        steps: [{ kind: 'patch', ref, patchType: 'strategic', body: restartPatch(now) }],
        destructive: false,
        notes: [
          {
            es: 'Los pods se reemplazan de a poco (rolling update); el servicio sigue atendiendo si hay más de una réplica lista.',
            en: 'Pods are replaced gradually (rolling update); the service keeps answering while more than one replica is ready.',
          },
        ],
        localFiles: [],
      };
    },
  }),
);
