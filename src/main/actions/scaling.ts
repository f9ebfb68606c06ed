// The ML service's capacity remedies: scale horizontally (the scale subresource, as
// `kubectl scale` does) and raise its resource limits (the runbook's strategic patch).
import { defineAction, deploymentRef, describeRef } from './types';

const ML_DEPLOYMENT = 'traffic-system-ml-service';
const ML_CONTAINER = 'ml-service';
const RUNBOOK = '2. Problemas de Performance › Alto Tiempo de Respuesta en ML Service';

export const scaleMlService = defineAction({
  id: 'scale:ml-service',
  title: { es: 'Escalar el ML service', en: 'Scale the ML service' },
  runbook: RUNBOOK,
  mode: 'objects',
  destructive: 'depends',
  paramDocs: { replicas: { es: 'Réplicas deseadas (0–50; la guía usa 5). 0 detiene el servicio.', en: 'Desired replicas (0–50; the runbook uses 5). 0 stops the service.' } },
  requirements: ({ namespace }) => [{ verb: 'patch', resource: 'deployments', group: 'apps', subresource: 'scale', namespace, name: ML_DEPLOYMENT }],
  draft: async ({ namespace, params }) => {
    const ref = deploymentRef(ML_DEPLOYMENT, namespace);
    const stopping = params.replicas === 0;
    return {
      target: describeRef(ref),
      steps: [{ kind: 'patch', ref, subresource: 'scale', patchType: 'merge', body: { spec: { replicas: params.replicas } } }],
      destructive: stopping,
      ...(stopping ? { confirmWord: ML_DEPLOYMENT } : {}),
      notes: stopping
        ? [{ es: 'Con 0 réplicas la detección de placas se detiene por completo.', en: 'With 0 replicas plate detection stops completely.' }]
        : [{ es: 'Cada réplica necesita una GPU libre: si no la hay, el pod queda Pending.', en: 'Each replica needs a free GPU: without one the pod stays Pending.' }],
      localFiles: [],
    };
  },
});

export const setMlServiceResources = defineAction({
  id: 'set-resources:ml-service',
  title: { es: 'Ajustar los recursos del ML service', en: 'Set the ML service resources' },
  runbook: RUNBOOK,
  mode: 'objects',
  destructive: false,
  paramDocs: {
    cpuLimit: { es: 'Límite de CPU (guía: 4000m)', en: 'CPU limit (runbook: 4000m)' },
    memoryLimit: { es: 'Límite de memoria (guía: 8Gi)', en: 'Memory limit (runbook: 8Gi)' },
    cpuRequest: { es: 'CPU solicitada (guía: 2000m)', en: 'CPU request (runbook: 2000m)' },
    memoryRequest: { es: 'Memoria solicitada (guía: 4Gi)', en: 'Memory request (runbook: 4Gi)' },
  },
  requirements: ({ namespace }) => [{ verb: 'patch', resource: 'deployments', group: 'apps', namespace, name: ML_DEPLOYMENT }],
  draft: async ({ namespace, params }) => {
    const ref = deploymentRef(ML_DEPLOYMENT, namespace);
    return {
      target: describeRef(ref),
      steps: [
        {
          kind: 'patch',
          ref,
          patchType: 'strategic',
          body: {
            spec: {
              template: {
                spec: {
                  containers: [
                    {
                      name: ML_CONTAINER,
                      resources: {
                        limits: { cpu: params.cpuLimit, memory: params.memoryLimit },
                        requests: { cpu: params.cpuRequest, memory: params.memoryRequest },
                      },
                    },
                  ],
                },
              },
            },
          },
        },
      ],
      destructive: false,
      notes: [{ es: 'Cambiar el template reinicia los pods del ML service.', en: 'Changing the template restarts the ML service pods.' }],
      localFiles: [],
    };
  },
});
