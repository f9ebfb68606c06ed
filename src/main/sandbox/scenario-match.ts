// How scenario replies are picked (see docs/scenario-format.md, "Matching"). Pure functions the
// sandbox server calls for exec, port-forward/proxy and metrics requests.
import type { ExecReply, HttpReply, PodMetrics, Scenario } from './snapshot-types';

const cache = new Map<string, RegExp>();

/**
 * Glob over a whole string: `*` is any run of characters (spaces and `/` included), `?` one
 * character, `[abc]`/`[!abc]` a class; everything else is literal. Case-sensitive.
 */
export function globToRegExp(glob: string): RegExp {
  let re = cache.get(glob);
  if (re) return re;
  let src = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') src += '[\\s\\S]*';
    else if (c === '?') src += '[\\s\\S]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end === -1) src += '\\[';
      else {
        let body = glob.slice(i + 1, end);
        const negate = body.startsWith('!') || body.startsWith('^');
        if (negate) body = body.slice(1);
        src += `[${negate ? '^' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
        i = end;
      }
    } else src += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  re = new RegExp(`^${src}$`);
  cache.set(glob, re);
  return re;
}

export function matchesGlob(glob: string, text: string): boolean {
  return globToRegExp(glob).test(text);
}

export interface ExecTarget {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
}

/** First exec reply that matches; undefined means "command not found" (exit 127). */
export function findExecReply(scenario: Pick<Scenario, 'exec'>, target: ExecTarget): ExecReply | undefined {
  const joined = target.command.join(' ');
  return scenario.exec.find(
    (r) =>
      (r.namespace === undefined || r.namespace === target.namespace) &&
      matchesGlob(r.pod, target.pod) &&
      (r.container === undefined || r.container === target.container) &&
      matchesGlob(r.command, joined),
  );
}

export interface HttpTarget {
  namespace: string;
  /** Set for the service proxy and for port-forward to a service (the service's port). */
  service?: string;
  /** Set for the pod proxy and port-forward to a pod (the container port). */
  pod?: string;
  port: number;
  method: string;
  /** Request path; any query string is ignored. */
  path: string;
}

export function findHttpReply(scenario: Pick<Scenario, 'http'>, target: HttpTarget): HttpReply | undefined {
  const path = target.path.split('?')[0];
  const method = target.method.toUpperCase();
  return scenario.http.find(
    (r) =>
      (r.namespace === undefined || r.namespace === target.namespace) &&
      r.port === target.port &&
      r.method === method &&
      r.path === path &&
      ((r.service !== undefined && r.service === target.service) ||
        (r.pod !== undefined && target.pod !== undefined && matchesGlob(r.pod, target.pod))),
  );
}

export function findPodMetrics(scenario: Pick<Scenario, 'metrics'>, namespace: string, pod: string): PodMetrics | undefined {
  return scenario.metrics.pods.find((m) => m.namespace === namespace && matchesGlob(m.pod, pod));
}
