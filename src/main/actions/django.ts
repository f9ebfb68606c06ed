// "Permission Denied" remedies in the Django backend: add a user to a group and the guide's
// `migrate --run-syncdb`. The username and group travel as environment values of a fixed
// program (env NAME=VALUE … python manage.py shell -c CODE): data, never part of the code.
import { RoadsideError } from '../errors';
import { defineAction, deploymentRef, runningPodsOf } from './types';

const BACKEND = 'traffic-system-backend';
const RUNBOOK = '4. Problemas de Autenticación › Permission Denied';

/** Fixed Python: reads the names from the environment and prints the groups before and after as JSON. */
export const ADD_USER_TO_GROUP_CODE = [
  'import json, os',
  'from django.contrib.auth.models import Group, User',
  'user = User.objects.get(username=os.environ["ROADSIDE_USERNAME"])',
  'group = Group.objects.get(name=os.environ["ROADSIDE_GROUP"])',
  'before = sorted(g.name for g in user.groups.all())',
  'user.groups.add(group)',
  'after = sorted(g.name for g in user.groups.all())',
  'print(json.dumps({"user": user.username, "group": group.name, "before": before, "after": after}))',
].join('\n');

export const SHOW_USER_GROUPS_CODE = [
  'import json, os',
  'from django.contrib.auth.models import User',
  'user = User.objects.get(username=os.environ["ROADSIDE_USERNAME"])',
  'print(json.dumps({"user": user.username, "groups": sorted(g.name for g in user.groups.all())}))',
].join('\n');

export function addUserToGroupArgv(username: string, group: string): string[] {
  return ['env', `ROADSIDE_USERNAME=${username}`, `ROADSIDE_GROUP=${group}`, 'python', 'manage.py', 'shell', '-c', ADD_USER_TO_GROUP_CODE];
}

async function firstBackendPod(client: Parameters<typeof runningPodsOf>[0], namespace: string) {
  const { pods } = await runningPodsOf(client, deploymentRef(BACKEND, namespace), 'backend');
  if (pods.length === 0) throw new RoadsideError('invalid-input', `deployment/${BACKEND} has no running pod to run the command in`);
  return pods[0];
}

export const addUserToGroup = defineAction({
  id: 'add-user-to-group',
  title: { es: 'Agregar un usuario a un grupo (Django)', en: 'Add a user to a group (Django)' },
  runbook: RUNBOOK,
  mode: 'exec',
  destructive: false,
  paramDocs: {
    username: { es: 'Usuario de la aplicación', en: 'Application username' },
    group: { es: 'Grupo (p. ej. operators)', en: 'Group (e.g. operators)' },
  },
  requirements: ({ namespace }) => [
    { verb: 'create', resource: 'pods', subresource: 'exec', namespace },
    { verb: 'list', resource: 'pods', namespace },
  ],
  draft: async ({ client, namespace, params }) => {
    const pod = await firstBackendPod(client, namespace);
    return {
      target: `user ${params.username} → group ${params.group} (deployment/${BACKEND} -n ${namespace})`,
      steps: [
        {
          kind: 'exec',
          namespace,
          pod: pod.name,
          container: pod.container,
          argv: addUserToGroupArgv(params.username, params.group),
          probe: ['env', `ROADSIDE_USERNAME=${params.username}`, 'python', 'manage.py', 'shell', '-c', SHOW_USER_GROUPS_CODE],
          timeoutMs: 120_000,
        },
      ],
      destructive: false,
      notes: [{ es: 'El usuario y el grupo deben existir; no se crea ninguno.', en: 'The user and the group must exist; neither is created.' }],
      localFiles: [],
    };
  },
});

export const migrateRunSyncdb = defineAction({
  id: 'migrate-run-syncdb',
  title: { es: 'Resetear permisos (migrate --run-syncdb)', en: 'Reset permissions (migrate --run-syncdb)' },
  runbook: RUNBOOK,
  mode: 'exec',
  destructive: false,
  paramDocs: {},
  requirements: ({ namespace }) => [
    { verb: 'create', resource: 'pods', subresource: 'exec', namespace },
    { verb: 'list', resource: 'pods', namespace },
  ],
  draft: async ({ client, namespace }) => {
    const pod = await firstBackendPod(client, namespace);
    return {
      target: `deployment/${BACKEND} -n ${namespace}`,
      steps: [
        {
          kind: 'exec',
          namespace,
          pod: pod.name,
          container: pod.container,
          argv: ['python', 'manage.py', 'migrate', '--run-syncdb'],
          probe: ['python', 'manage.py', 'showmigrations', '--plan'],
          timeoutMs: 10 * 60_000,
        },
      ],
      destructive: false,
      notes: [
        {
          es: 'Aplica las migraciones pendientes y crea las tablas de apps sin migraciones; cambia el esquema de la base de datos.',
          en: 'Applies pending migrations and creates tables of apps without migrations; it changes the database schema.',
        },
      ],
      localFiles: [],
    };
  },
});
