// "JWT Token Errors › Regenerar secret key": a new random Django secret key in
// traffic-system-secrets, then a backend rollout restart. The new value lives only in the
// plan held in memory until it is applied: previews, logs and timelines show it redacted.
import { randomBytes } from 'node:crypto';
import { RoadsideError } from '../errors';
import { restartPatch } from './rollout';
import { defineAction, deploymentRef, describeRef, objectPath, type ObjectRef } from './types';

export const JWT_SECRET_NAME = 'traffic-system-secrets';
export const JWT_SECRET_KEY = 'django-secret-key';
const BACKEND = 'traffic-system-backend';

/** As the runbook makes it: `openssl rand -base64 32`, stored base64-encoded in the Secret. */
export function newDjangoSecretData(): string {
  const secret = randomBytes(32).toString('base64');
  return Buffer.from(secret, 'utf8').toString('base64');
}

export const rotateJwtSecret = defineAction({
  id: 'rotate-jwt-secret',
  title: { es: 'Regenerar la clave secreta (JWT)', en: 'Rotate the JWT secret key' },
  runbook: '4. Problemas de Autenticación › JWT Token Errors',
  mode: 'objects',
  destructive: true,
  paramDocs: {},
  requirements: ({ namespace }) => [
    { verb: 'get', resource: 'secrets', namespace, name: JWT_SECRET_NAME },
    { verb: 'patch', resource: 'secrets', namespace, name: JWT_SECRET_NAME },
    { verb: 'patch', resource: 'deployments', group: 'apps', namespace, name: BACKEND },
  ],
  draft: async ({ client, namespace, now }) => {
    const ref: ObjectRef = { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', name: JWT_SECRET_NAME, namespace };
    const secret = await client.get(objectPath(ref));
    if (!secret) throw new RoadsideError('not-found', `secret/${JWT_SECRET_NAME} does not exist in ${namespace}`);
    return {
      target: describeRef(ref),
      steps: [
        { kind: 'patch', ref, patchType: 'merge', body: { data: { [JWT_SECRET_KEY]: newDjangoSecretData() } } },
        { kind: 'patch', ref: deploymentRef(BACKEND, namespace), patchType: 'strategic', body: restartPatch(now) },
      ],
      destructive: true,
      confirmWord: JWT_SECRET_NAME,
      notes: [
        {
          es: 'Todos los tokens emitidos dejan de valer: los usuarios deben iniciar sesión de nuevo. La clave nueva no se muestra ni se guarda en ningún registro.',
          en: 'Every issued token stops being valid: users must log in again. The new key is never shown nor written to any log.',
        },
      ],
      localFiles: [],
    };
  },
});
