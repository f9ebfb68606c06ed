// RBAC rule matching as the API server's RBAC authorizer does it: the sandbox decides its
// requests with it, and cluster.access reads a SelfSubjectRulesReview with it.

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
  nonResourceURLs?: string[];
}

export interface RequestAttributes {
  verb: string;
  /** Absent for non-resource requests (/version, /healthz, discovery). */
  resource?: string;
  subresource?: string;
  group?: string;
  namespace?: string;
  name?: string;
  path?: string;
}

function matchesList(list: string[] | undefined, value: string): boolean {
  return (list ?? []).some((entry) => entry === '*' || entry === value);
}

export function ruleAllows(rule: PolicyRule, attrs: RequestAttributes): boolean {
  if (!matchesList(rule.verbs, attrs.verb)) return false;
  if (attrs.resource === undefined) {
    const path = attrs.path ?? '';
    return (rule.nonResourceURLs ?? []).some((u) => u === '*' || u === path || (u.endsWith('*') && path.startsWith(u.slice(0, -1))));
  }
  if (!rule.resources || rule.resources.length === 0) return false;
  if (!matchesList(rule.apiGroups, attrs.group ?? '')) return false;
  const full = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const resourceOk = rule.resources.some((r) => r === '*' || r === full || (attrs.subresource && r === `*/${attrs.subresource}`));
  if (!resourceOk) return false;
  if (rule.resourceNames && rule.resourceNames.length > 0) {
    return attrs.name !== undefined && attrs.name !== '' && rule.resourceNames.includes(attrs.name);
  }
  return true;
}

export function rulesAllow(rules: readonly PolicyRule[], attrs: RequestAttributes): boolean {
  return rules.some((rule) => ruleAllows(rule, attrs));
}
