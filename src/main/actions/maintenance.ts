// "Modo de Mantenimiento": scale the frontend to 0 and show the runbook's maintenance page
// (ConfigMap + nginx Deployment); turning it off scales the frontend back to the count
// recorded on the maintenance-page ConfigMap and removes the page.
import { RoadsideError } from '../errors';
import type { KObj } from './kube-client';
import { defineAction, deploymentRef, describeRef, objectPath, type ObjectRef, type Step } from './types';

const FRONTEND = 'traffic-system-frontend';
const PAGE = 'maintenance-page';
/** Where maintenance-on records the frontend's replica count, for maintenance-off. */
export const RECORDED_REPLICAS_ANNOTATION = 'roadside.io/frontend-replicas';
const RUNBOOK = 'Procedimientos de Emergencia › 3. Modo de Mantenimiento';

const pageConfigMapRef = (namespace: string): ObjectRef => ({ apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', name: PAGE, namespace });

function maintenanceConfigMap(namespace: string, replicas: number): KObj {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: PAGE, namespace, annotations: { [RECORDED_REPLICAS_ANNOTATION]: String(replicas) } },
    data: { 'index.html': '<html><body><h1>Sistema en Mantenimiento</h1></body></html>\n' },
  };
}

function maintenanceDeployment(namespace: string): KObj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: PAGE, namespace },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'maintenance' } },
      template: {
        metadata: { labels: { app: 'maintenance' } },
        spec: {
          containers: [{ name: 'nginx', image: 'nginx:alpine', volumeMounts: [{ name: 'html', mountPath: '/usr/share/nginx/html' }] }],
          volumes: [{ name: 'html', configMap: { name: PAGE } }],
        },
      },
    },
  };
}

export const maintenanceOn = defineAction({
  id: 'maintenance-on',
  title: { es: 'Activar el modo de mantenimiento', en: 'Turn maintenance mode on' },
  runbook: RUNBOOK,
  mode: 'objects',
  destructive: true,
  paramDocs: {},
  requirements: ({ namespace }) => [
    { verb: 'patch', resource: 'deployments', group: 'apps', subresource: 'scale', namespace, name: FRONTEND },
    { verb: 'create', resource: 'configmaps', namespace },
    { verb: 'create', resource: 'deployments', group: 'apps', namespace },
  ],
  draft: async ({ client, namespace }) => {
    const frontendRef = deploymentRef(FRONTEND, namespace);
    const frontend = await client.get(objectPath(frontendRef));
    if (!frontend) throw new RoadsideError('not-found', `deployment/${FRONTEND} does not exist in ${namespace}`);
    if (await client.get(objectPath(pageConfigMapRef(namespace)))) {
      throw new RoadsideError('invalid-input', `maintenance mode looks on already: configmap/${PAGE} exists in ${namespace} (turn it off first)`);
    }
    const replicas = typeof frontend.spec?.replicas === 'number' ? frontend.spec.replicas : 1;
    if (replicas === 0) throw new RoadsideError('invalid-input', `deployment/${FRONTEND} is already scaled to 0; there is no replica count to record`);
    const steps: Step[] = [
      { kind: 'patch', ref: frontendRef, subresource: 'scale', patchType: 'merge', body: { spec: { replicas: 0 } } },
      { kind: 'create', ref: pageConfigMapRef(namespace), body: maintenanceConfigMap(namespace, replicas) },
      { kind: 'create', ref: deploymentRef(PAGE, namespace), body: maintenanceDeployment(namespace) },
    ];
    return {
      target: describeRef(frontendRef),
      steps,
      destructive: true,
      confirmWord: FRONTEND,
      notes: [
        {
          es: `El frontend (${replicas} réplicas) queda en 0: los usuarios no pueden usar la aplicación. El número de réplicas se guarda en configmap/${PAGE} para restaurarlo.`,
          en: `The frontend (${replicas} replicas) goes to 0: users cannot use the application. The replica count is kept on configmap/${PAGE} to restore it.`,
        },
      ],
      localFiles: [],
    };
  },
});

export const maintenanceOff = defineAction({
  id: 'maintenance-off',
  title: { es: 'Desactivar el modo de mantenimiento', en: 'Turn maintenance mode off' },
  runbook: RUNBOOK,
  mode: 'objects',
  destructive: false,
  paramDocs: { replicas: { es: 'Réplicas del frontend si no hay un número registrado', en: 'Frontend replicas when none was recorded' } },
  requirements: ({ namespace }) => [
    { verb: 'patch', resource: 'deployments', group: 'apps', subresource: 'scale', namespace, name: FRONTEND },
    { verb: 'delete', resource: 'configmaps', namespace, name: PAGE },
    { verb: 'delete', resource: 'deployments', group: 'apps', namespace, name: PAGE },
  ],
  draft: async ({ client, namespace, params }) => {
    const frontendRef = deploymentRef(FRONTEND, namespace);
    const page = await client.get(objectPath(pageConfigMapRef(namespace)));
    const recorded = Number(page?.metadata.annotations?.[RECORDED_REPLICAS_ANNOTATION]);
    const replicas = params.replicas ?? (Number.isInteger(recorded) && recorded > 0 ? recorded : undefined);
    if (replicas === undefined) {
      throw new RoadsideError('invalid-input', `no recorded frontend replica count (configmap/${PAGE} is missing or has none): give replicas=N`);
    }
    const steps: Step[] = [{ kind: 'patch', ref: frontendRef, subresource: 'scale', patchType: 'merge', body: { spec: { replicas } } }];
    if (await client.get(objectPath(deploymentRef(PAGE, namespace)))) steps.push({ kind: 'delete', ref: deploymentRef(PAGE, namespace) });
    if (page) steps.push({ kind: 'delete', ref: pageConfigMapRef(namespace) });
    return {
      target: describeRef(frontendRef),
      steps,
      destructive: false,
      notes: [
        {
          es: `El frontend vuelve a ${replicas} réplicas${params.replicas === undefined ? ' (número registrado al activar el mantenimiento)' : ''} y se retira la página de mantenimiento.`,
          en: `The frontend goes back to ${replicas} replicas${params.replicas === undefined ? ' (the count recorded when maintenance was turned on)' : ''} and the maintenance page is removed.`,
        },
      ],
      localFiles: [],
    };
  },
});
