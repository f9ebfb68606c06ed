// "Network Policy Issues › Crear policy específica": the runbook's allow-frontend-to-backend.
import { RoadsideError } from '../errors';
import { defineAction, describeRef, objectPath, type ObjectRef } from './types';

export const POLICY_NAME = 'allow-frontend-to-backend';

export function allowFrontendToBackendPolicy(namespace: string) {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: POLICY_NAME, namespace },
    spec: {
      podSelector: { matchLabels: { 'app.kubernetes.io/component': 'backend' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/component': 'frontend' } } }] }],
    },
  };
}

export const allowFrontendToBackend = defineAction({
  id: 'allow-frontend-to-backend',
  title: { es: 'Permitir tráfico frontend → backend', en: 'Allow frontend → backend traffic' },
  runbook: '5. Problemas de Red › Network Policy Issues',
  mode: 'objects',
  destructive: true,
  paramDocs: {},
  requirements: ({ namespace }) => [{ verb: 'create', resource: 'networkpolicies', group: 'networking.k8s.io', namespace }],
  draft: async ({ client, namespace }) => {
    const ref: ObjectRef = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', plural: 'networkpolicies', name: POLICY_NAME, namespace };
    if (await client.get(objectPath(ref))) throw new RoadsideError('invalid-input', `networkpolicy/${POLICY_NAME} already exists in ${namespace}`);
    return {
      target: describeRef(ref),
      steps: [{ kind: 'create', ref, body: allowFrontendToBackendPolicy(namespace) }],
      destructive: true,
      confirmWord: POLICY_NAME,
      notes: [
        {
          es: 'Abre el puerto del backend a todos los pods con app.kubernetes.io/component=frontend de este namespace.',
          en: 'Opens the backend to every pod labelled app.kubernetes.io/component=frontend in this namespace.',
        },
      ],
      localFiles: [],
    };
  },
});
