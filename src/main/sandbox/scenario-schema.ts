// zod schema of scenario.yaml (see docs/scenario-format.md). Every field beyond the contract is optional.
import { z } from 'zod';

const localized = z.object({ es: z.string().min(1), en: z.string().min(1) });

// YAML turns `cpu: 2` into a number; quantities are kept as Kubernetes strings.
const quantity = z.union([z.string().min(1), z.number()]).transform((v) => String(v));

const rfc3339 = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i, 'expected an RFC3339 date-time such as 2026-01-10T10:00:00Z');

const policyRule = z.object({
  apiGroups: z.array(z.string()).optional(),
  resources: z.array(z.string()).optional(),
  resourceNames: z.array(z.string()).optional(),
  verbs: z.array(z.string()).min(1),
  nonResourceURLs: z.array(z.string()).optional(),
});

const user = z.object({
  name: z.string().min(1),
  token: z.string().min(1),
  rules: z.array(policyRule).default([]),
});

const execReply = z.object({
  namespace: z.string().optional(),
  pod: z.string().min(1).default('*'),
  container: z.string().optional(),
  command: z.string().min(1),
  stdout: z.string().default(''),
  stderr: z.string().default(''),
  exitCode: z.number().int().min(0).max(255).default(0),
  delayMs: z.number().int().min(0).default(0),
});

const httpReply = z
  .object({
    namespace: z.string().optional(),
    service: z.string().optional(),
    pod: z.string().optional(),
    port: z.number().int().min(1).max(65535),
    method: z.string().min(1).default('GET').transform((m) => m.toUpperCase()),
    path: z.string().startsWith('/'),
    status: z.number().int().min(100).max(599).default(200),
    headers: z.record(z.string(), z.union([z.string(), z.number()]).transform(String)).default({}),
    body: z.string().default(''),
    delayMs: z.number().int().min(0).default(0),
    reset: z.boolean().optional(),
  })
  .refine((r) => Boolean(r.service) !== Boolean(r.pod), { message: 'give exactly one of service or pod' });

const podMetrics = z.object({
  namespace: z.string().min(1),
  pod: z.string().min(1),
  containers: z.record(z.string(), z.object({ cpu: quantity, memory: quantity })),
});

const nodeMetrics = z.object({ node: z.string().min(1), cpu: quantity, memory: quantity });

const volumeUsage = z
  .object({
    namespace: z.string().min(1),
    pvc: z.string().min(1),
    usedBytes: z.number().int().min(0),
    capacityBytes: z.number().int().positive(),
  })
  .refine((v) => v.usedBytes <= v.capacityBytes, { message: 'usedBytes is larger than capacityBytes' });

export const CHECK_STATUSES = ['pass', 'warn', 'fail', 'error', 'skipped'] as const;

const expectation = z.object({
  check: z.string().regex(/^[a-z]+\.[a-z0-9-]+$/, 'expected a check id such as storage.pvc-usage'),
  status: z.enum(CHECK_STATUSES),
});

/** Names one object; apiVersion narrows by API group when two groups share a kind. */
const objectRef = z.object({
  apiVersion: z.string().optional(),
  kind: z.string().min(1),
  namespace: z.string().optional(),
  name: z.string().min(1),
});

export const scenarioFileSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9-]+$/, 'expected lowercase letters, digits and dashes ([a-z0-9-]+)'),
    title: localized.optional(),
    description: localized.optional(),
    capturedAt: rfc3339.optional(),
    latencyMs: z.number().int().min(0).optional(),
    users: z.array(user).optional(),
    exec: z.array(execReply).default([]),
    http: z.array(httpReply).default([]),
    metrics: z
      .object({ pods: z.array(podMetrics).default([]), nodes: z.array(nodeMetrics).default([]) })
      .default({ pods: [], nodes: [] }),
    volumes: z.array(volumeUsage).default([]),
    expect: z.array(expectation).default([]),
    // Overlay fields: this folder is `base` plus changes.
    dropExpect: z.array(z.string()).default([]),
    base: z.string().min(1).optional(),
    remove: z.array(objectRef).default([]),
    removeLogs: z.array(z.string().regex(/^[^/]+\/[^/]+\/[^/]+\.log$/, 'expected <namespace>/<pod>/<file>.log')).default([]),
    patches: z
      .array(objectRef.extend({ patch: z.record(z.string(), z.unknown()) }))
      .default([]),
  })
  .strict();

export type ScenarioFile = z.infer<typeof scenarioFileSchema>;

/** One line per problem, each naming the field path, e.g. `exec[2].command: expected string`. */
export function describeScenarioIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path
        .map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`))
        .join('');
      return `${path || '(top level)'}: ${issue.message}`;
    })
    .join('\n');
}
