// "Rollback Completo": `helm rollback` through a local helm when one is installed;
// otherwise the exact command for the engineer to run.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { RoadsideError } from '../errors';
import { readReleaseSecret, releaseSecrets } from '../checks/helm-release';
import type { KObject } from '../checks/types';
import { collectionPath, defineAction, shellQuote } from './types';

const RELEASE = 'traffic-system';

/** The helm binary on PATH, if any. */
export function findHelm(path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, process.platform === 'win32' ? 'helm.exe' : 'helm');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function helmRollbackArgv(release: string, revision: number, namespace: string, context: string): string[] {
  return ['helm', 'rollback', release, String(revision), '-n', namespace, '--kube-context', context, '--wait', '--timeout', '5m0s'];
}

export const helmRollback = defineAction({
  id: 'helm-rollback',
  title: { es: 'Rollback de Helm', en: 'Helm rollback' },
  runbook: 'Procedimientos de Emergencia › 1. Rollback Completo',
  mode: 'local',
  destructive: true,
  paramDocs: { revision: { es: 'Revisión a la que volver (por defecto la anterior a la actual)', en: 'Revision to go back to (default: the one before the current)' } },
  requirements: ({ namespace }) => [
    { verb: 'list', resource: 'secrets', namespace },
    { verb: 'create', resource: 'secrets', namespace },
    { verb: 'patch', resource: 'deployments', group: 'apps', namespace },
  ],
  draft: async ({ client, namespace, context, params }) => {
    const secrets = (await client.list(collectionPath({ apiVersion: 'v1', plural: 'secrets', namespace }), `owner=helm,name=${RELEASE}`)) as unknown as KObject[];
    const releases = releaseSecrets(secrets, RELEASE).map((s) => readReleaseSecret(s).summary);
    if (releases.length === 0) throw new RoadsideError('not-found', `no Helm release "${RELEASE}" in ${namespace}`);
    const current = releases[0];
    const revision = params.revision ?? releases.find((r) => r.revision < current.revision)?.revision;
    if (revision === undefined) throw new RoadsideError('invalid-input', `release ${RELEASE} has only revision ${current.revision}; there is nothing to roll back to`);
    if (revision === current.revision) throw new RoadsideError('invalid-input', `revision ${revision} is the current one`);
    const wanted = releases.find((r) => r.revision === revision);
    if (!wanted) throw new RoadsideError('invalid-input', `release ${RELEASE} has no revision ${revision} (known: ${releases.map((r) => r.revision).join(', ')})`);
    const argv = helmRollbackArgv(RELEASE, revision, namespace, context);
    const helm = findHelm();
    const describe = (r: typeof current) => `${r.revision} (${r.status}${r.chartVersion ? `, chart ${r.chartVersion}` : ''}${r.appVersion ? `, app ${r.appVersion}` : ''})`;
    return {
      target: `helm release ${RELEASE} -n ${namespace}`,
      steps: helm ? [{ kind: 'local', argv, kubeconfigContext: context }] : [],
      destructive: true,
      confirmWord: RELEASE,
      notes: [{ es: `De la revisión ${describe(current)} a ${describe(wanted)}.`, en: `From revision ${describe(current)} to ${describe(wanted)}.` }],
      localFiles: [],
      ...(helm ? {} : { manual: { reason: 'helm is not installed on this machine (not found on PATH)', command: shellQuote(argv) } }),
    };
  },
});
