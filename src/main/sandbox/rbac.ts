// Bearer-token users and RBAC-style rule evaluation for the sandbox API.
import { randomBytes } from 'node:crypto';
import { rulesAllow, type RequestAttributes } from '../kube/rbac-rules';
import type { PolicyRule, SandboxUser } from './snapshot-types';

export type { RequestAttributes };

export const DEFAULT_ADMIN_NAME = 'roadside-admin';

/** What every authenticated user may do on a real cluster (system:basic-user, system:discovery). */
const AUTHENTICATED_RULES: PolicyRule[] = [
  { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] },
  {
    nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/readyz', '/version', '/version/', '/openapi', '/openapi/*'],
    verbs: ['get'],
  },
];

export function sandboxUsers(configured: SandboxUser[]): SandboxUser[] {
  if (configured.length > 0) return configured;
  return [
    {
      name: DEFAULT_ADMIN_NAME,
      token: randomBytes(24).toString('base64url'),
      rules: [
        { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
        { nonResourceURLs: ['*'], verbs: ['*'] },
      ],
    },
  ];
}

export function isAllowed(user: SandboxUser, attrs: RequestAttributes): boolean {
  return rulesAllow([...AUTHENTICATED_RULES, ...user.rules], attrs);
}

export function effectiveRules(user: SandboxUser): PolicyRule[] {
  return [...AUTHENTICATED_RULES, ...user.rules];
}

/** The message a real API server gives for a denied request. */
export function forbiddenMessage(user: SandboxUser, attrs: RequestAttributes, qualifiedResource: string): string {
  if (attrs.resource === undefined) {
    return `forbidden: User "${user.name}" cannot ${attrs.verb} path "${attrs.path}"`;
  }
  const full = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const subject = attrs.name ? `${qualifiedResource} "${attrs.name}"` : qualifiedResource;
  const scope = attrs.namespace ? `in the namespace "${attrs.namespace}"` : 'at the cluster scope';
  return `${subject} is forbidden: User "${user.name}" cannot ${attrs.verb} resource "${full}" in API group "${attrs.group ?? ''}" ${scope}`;
}

/** Body of a SelfSubjectRulesReview status built from the user's rules. */
export function rulesReviewStatus(user: SandboxUser): Record<string, unknown> {
  const rules = effectiveRules(user);
  return {
    resourceRules: rules
      .filter((r) => r.resources && r.resources.length > 0)
      .map((r) => ({
        verbs: r.verbs,
        apiGroups: r.apiGroups ?? [''],
        resources: r.resources,
        ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}),
      })),
    nonResourceRules: rules
      .filter((r) => r.nonResourceURLs && r.nonResourceURLs.length > 0)
      .map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs })),
    incomplete: false,
  };
}
