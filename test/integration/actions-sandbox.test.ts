// Remediation actions against the real sandbox API server: the preview is a dry run that
// changes nothing, apply changes what the preview said, and every apply is recorded.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ACTION_IDS } from '../../src/shared/actions';
import { RoadsideError } from '../../src/main/errors';
import { readActionLog, actionLogPath } from '../../src/main/actions/action-log';
import { actionDeskFor } from '../../src/main/handlers/actions';
import { CONTEXT, NS, deploymentPath, execReply, podNames, startActionsWorld, waitFor, type ActionsWorld } from './actions-fixture';

let world: ActionsWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function refusal(p: Promise<unknown>): Promise<RoadsideError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof RoadsideError) return err;
    throw err;
  }
  throw new Error('expected a refusal, but it went through');
}

describe('actions against the sandbox', () => {
  it('lists every action id the checks reference', async () => {
    world = await startActionsWorld('healthy');
    const list = await world.service.call('actions.list', {});
    expect(list.map((a) => a.id)).toEqual([...ACTION_IDS]);
    expect(list.find((a) => a.id === 'scale:ml-service')?.params).toEqual([expect.objectContaining({ name: 'replicas', required: false, default: '5' })]);
    expect(list.find((a) => a.id === 'add-user-to-group')?.params.map((p) => p.required)).toEqual([true, true]);
  });

  it('rollout restart: the preview changes nothing, apply rolls out new pods and is logged', async () => {
    world = await startActionsWorld('healthy');
    const { service, admin } = world;
    const selector = 'app.kubernetes.io/component=backend';
    const podsBefore = await podNames(admin, selector);
    const deployBefore = await admin.get(deploymentPath('traffic-system-backend'));

    const plan = await service.call('actions.preview', { actionId: 'rollout-restart:backend', context: CONTEXT, namespace: NS });
    expect(plan.target).toBe('deployment/traffic-system-backend -n traffic-system');
    expect(plan.changes).toHaveLength(1);
    expect(plan.changes[0].diff).toMatch(/^\+\s+kubectl\.kubernetes\.io\/restartedAt: /m);
    expect(plan.destructive).toBe(false);

    const deployAfterPreview = await admin.get(deploymentPath('traffic-system-backend'));
    expect(deployAfterPreview?.metadata.resourceVersion).toBe(deployBefore?.metadata.resourceVersion);
    expect(deployAfterPreview?.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeUndefined();
    expect(await podNames(admin, selector)).toEqual(podsBefore);

    const outcome = await service.call('actions.apply', { planId: plan.planId, hash: plan.hash, confirmed: true });
    expect(outcome.result).toBe('succeeded');
    const restartedAt = (await admin.get(deploymentPath('traffic-system-backend')))?.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'];
    expect(plan.changes[0].diff).toContain(restartedAt);
    const podsAfter = await waitFor(() => podNames(admin, selector), (names) => names.length === podsBefore.length && names.every((n) => !podsBefore.includes(n)), 'new backend pods');
    expect(podsAfter).not.toEqual(podsBefore);

    const [record] = readActionLog(world.dataDir);
    expect(record).toMatchObject({ actionId: 'rollout-restart:backend', result: 'succeeded', context: CONTEXT, namespace: NS, planId: plan.planId });
    expect(record.user).toBeTruthy();
    const key = 'deployment/traffic-system-backend -n traffic-system';
    expect((record.before as any)[key].spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toBeNull();
    expect((record.after as any)[key].spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toBe(restartedAt);

    // A plan applies once.
    expect((await refusal(service.call('actions.apply', { planId: plan.planId, hash: plan.hash, confirmed: true }))).code).toBe('not-found');
  });

  it('scale and set-resources change what the preview showed', async () => {
    world = await startActionsWorld('healthy');
    const { service, admin } = world;
    const scale = await service.call('actions.preview', { actionId: 'scale:ml-service', namespace: NS, params: { replicas: '3' } });
    expect(scale.changes[0]).toMatchObject({ operation: 'patch', subresource: 'scale' });
    expect(scale.changes[0].diff).toMatch(/^\+\s+replicas: 3$/m);
    const before = (await admin.get(deploymentPath('traffic-system-ml-service')))!.spec.replicas;
    expect(before).not.toBe(3);
    expect((await admin.get(deploymentPath('traffic-system-ml-service')))!.spec.replicas).toBe(before);
    await service.call('actions.apply', { planId: scale.planId, hash: scale.hash, confirmed: true });
    await waitFor(() => podNames(world!.admin, 'app.kubernetes.io/component=ml-service'), (p) => p.length === 3, '3 ml-service pods');

    const resources = await service.call('actions.preview', { actionId: 'set-resources:ml-service', namespace: NS, params: { memoryLimit: '12Gi' } });
    expect(resources.changes[0].diff).toMatch(/^\+\s+memory: 12Gi$/m);
    const outcome = await service.call('actions.apply', { planId: resources.planId, hash: resources.hash, confirmed: true });
    expect(outcome.result).toBe('succeeded');
    const container = (await admin.get(deploymentPath('traffic-system-ml-service')))!.spec.template.spec.containers.find((c: any) => c.name === 'ml-service');
    // The strategic merge keeps what the patch does not name (the GPU).
    expect(container.resources).toEqual({
      limits: { cpu: '4000m', memory: '12Gi', 'nvidia.com/gpu': '1' },
      requests: { cpu: '2000m', memory: '4Gi', 'nvidia.com/gpu': '1' },
    });
  });

  it('scaling to 0 needs the deployment name typed; a bad parameter is refused', async () => {
    world = await startActionsWorld('healthy');
    const { service } = world;
    expect((await refusal(service.call('actions.preview', { actionId: 'scale:ml-service', params: { replicas: 'many' } }))).code).toBe('invalid-input');
    expect((await refusal(service.call('actions.preview', { actionId: 'scale:ml-service', params: { size: '3' } }))).message).toMatch(/takes: replicas/);
    const plan = await service.call('actions.preview', { actionId: 'scale:ml-service', params: { replicas: '0' } });
    expect(plan).toMatchObject({ destructive: true, confirmWord: 'traffic-system-ml-service' });
    const untyped = await refusal(service.call('actions.apply', { planId: plan.planId, hash: plan.hash, confirmed: true }));
    expect(untyped.code).toBe('invalid-input');
    expect(untyped.message).toContain('type "traffic-system-ml-service"');
    await refusal(service.call('actions.apply', { planId: plan.planId, hash: plan.hash, confirmed: true, typed: 'traffic-system-ml' }));
    const outcome = await service.call('actions.apply', { planId: plan.planId, hash: plan.hash, confirmed: true, typed: 'traffic-system-ml-service' });
    expect(outcome.result).toBe('succeeded');
    expect((await world.admin.get(deploymentPath('traffic-system-ml-service')))!.spec.replicas).toBe(0);
  });

  it('expand-pvc grows the claim; shrinking is refused', async () => {
    world = await startActionsWorld('healthy');
    const { service, admin } = world;
    expect((await refusal(service.call('actions.preview', { actionId: 'expand-pvc', params: { size: '50Gi' } }))).message).toMatch(/can only grow/);
    const plan = await service.call('actions.preview', { actionId: 'expand-pvc', params: { pvc: 'traffic-system-shared-storage', size: '200Gi' } });
    expect(plan.changes[0].diff).toMatch(/^\+\s+storage: 200Gi$/m);
    await service.call('actions.apply', { planId: plan.planId, hash: plan.hash, confirmed: true });
    const pvc = await admin.get(`/api/v1/namespaces/${NS}/persistentvolumeclaims/traffic-system-shared-storage`);
    expect(pvc?.spec.resources.requests.storage).toBe('200Gi');
  });

  it('allow-frontend-to-backend: typed confirmation, then the NetworkPolicy exists', async () => {
    world = await startActionsWorld('network-policy-deny');
    const { service, admin } = world;
    const plan = await service.call('actions.preview', { actionId: 'allow-frontend-to-backend' });
    expect(plan.changes[0]).toMatchObject({ operation: 'create', kind: 'NetworkPolicy', name: 'allow-frontend-to-backend' });
    expect(plan.changes[0].diff).toMatch(/^\+\s+app\.kubernetes\.io\/component: frontend$/m);
    const path = `/apis/networking.k8s.io/v1/namespaces/${NS}/networkpolicies/allow-frontend-to-backend`;
    expect(await admin.get(path)).toBeUndefined();
    await refusal(service.call('actions.apply', { planId: plan.planId, hash: plan.hash, confirmed: true }));
    const outcome = await service.call('actions.apply', { planId: plan.planId, hash: plan.hash, confirmed: true, typed: 'allow-frontend-to-backend' });
    expect(outcome.result).toBe('succeeded');
    expect((await admin.get(path))?.spec.ingress[0].from[0].podSelector.matchLabels).toEqual({ 'app.kubernetes.io/component': 'frontend' });
  });

  it('maintenance on then off restores the recorded frontend replica count', async () => {
    world = await startActionsWorld('healthy');
    const { service, admin } = world;
    const replicas = (await admin.get(deploymentPath('traffic-system-frontend')))!.spec.replicas;
    expect(replicas).toBeGreaterThan(0);
    const on = await service.call('actions.preview', { actionId: 'maintenance-on' });
    expect(on.changes.map((c) => `${c.operation} ${c.kind}/${c.name}`)).toEqual(['patch Deployment/traffic-system-frontend', 'create ConfigMap/maintenance-page', 'create Deployment/maintenance-page']);
    expect(on.confirmWord).toBe('traffic-system-frontend');
    await service.call('actions.apply', { planId: on.planId, hash: on.hash, confirmed: true, typed: 'traffic-system-frontend' });
    expect((await admin.get(deploymentPath('traffic-system-frontend')))!.spec.replicas).toBe(0);
    expect(await admin.get(deploymentPath('maintenance-page'))).toBeDefined();
    await waitFor(() => podNames(admin, 'app.kubernetes.io/component=frontend'), (p) => p.length === 0, 'frontend pods gone');

    const off = await service.call('actions.preview', { actionId: 'maintenance-off' });
    expect(off.changes[0].diff).toMatch(new RegExp(`^\\+\\s+replicas: ${replicas}$`, 'm'));
    const outcome = await service.call('actions.apply', { planId: off.planId, hash: off.hash, confirmed: true });
    expect(outcome.result).toBe('succeeded');
    expect((await admin.get(deploymentPath('traffic-system-frontend')))!.spec.replicas).toBe(replicas);
    expect(await admin.get(deploymentPath('maintenance-page'))).toBeUndefined();
    expect(await admin.get(`/api/v1/namespaces/${NS}/configmaps/maintenance-page`)).toBeUndefined();
  });

  it('a change to the object between preview and apply is a conflict', async () => {
    world = await startActionsWorld('healthy');
    const { service, admin } = world;
    const plan = await service.call('actions.preview', { actionId: 'set-resources:ml-service' });
    await admin.patch(deploymentPath('traffic-system-ml-service'), 'merge', { metadata: { labels: { touched: 'by-someone-else' } } }, false);
    const err = await refusal(service.call('actions.apply', { planId: plan.planId, hash: plan.hash, confirmed: true }));
    expect(err.code).toBe('conflict');
    expect(err.message).toMatch(/changed since the preview/);
    expect(readActionLog(world.dataDir)).toEqual([]);
  });

  it('read-only mode (the setting, or --read-only) blocks every action', async () => {
    world = await startActionsWorld('healthy');
    const { service } = world;
    const plan = await service.call('actions.preview', { actionId: 'rollout-restart:ml-service' });
    await service.call('settings.update', { readOnly: true });
    const availability = await service.call('actions.availability', { actionId: 'rollout-restart:ml-service' });
    expect(availability).toMatchObject({ allowed: false, code: 'read-only' });
    expect((await refusal(service.call('actions.preview', { actionId: 'rollout-restart:ml-service' }))).code).toBe('read-only');
    expect((await refusal(service.call('actions.apply', { planId: plan.planId, hash: plan.hash, confirmed: true }))).code).toBe('read-only');
    await service.call('settings.update', { readOnly: false });
    actionDeskFor(service).forceReadOnly = true;
    expect((await refusal(service.call('actions.apply', { planId: plan.planId, hash: plan.hash, confirmed: true }))).code).toBe('read-only');
  });

  it('restricted credentials: the action is disabled with the reason', async () => {
    world = await startActionsWorld('rbac-forbidden');
    const { service } = world;
    const availability = await service.call('actions.availability', { actionId: 'rollout-restart:backend' });
    expect(availability.allowed).toBe(false);
    expect(availability.code).toBe('forbidden');
    expect(availability.reason).toMatch(/may not patch deployments\.apps "traffic-system-backend" in namespace traffic-system/);
    expect(availability.checks).toEqual([expect.objectContaining({ verb: 'patch', resource: 'deployments', allowed: false })]);
    const err = await refusal(service.call('actions.preview', { actionId: 'rollout-restart:backend' }));
    expect(err.code).toBe('forbidden');
    expect((await service.call('actions.availability', { actionId: 'emergency-backup' })).reason).toMatch(/create pods\/exec/);
  });

  it('an action applied while an incident is active lands in its timeline', async () => {
    world = await startActionsWorld('healthy');
    const { service } = world;
    const incident = await service.call('incidents.create', { title: 'ML slow', severity: 'SEV2' } as any);
    await service.call('incidents.setActive', { id: incident.id });
    const plan = await service.call('actions.preview', { actionId: 'scale:ml-service', params: { replicas: '4' } });
    const outcome = await service.call('actions.apply', { planId: plan.planId, hash: plan.hash, confirmed: true });
    expect(outcome.incidentId).toBe(incident.id);
    const page = await service.call('incidents.entries', { id: incident.id, kinds: ['action'] } as any);
    const entry = page.entries.find((e: any) => e.kind === 'action');
    expect(entry?.data).toMatchObject({
      actionId: 'scale:ml-service',
      result: 'succeeded',
      before: { 'deployment/traffic-system-ml-service -n traffic-system (scale)': { spec: { replicas: 2 } } },
      after: { 'deployment/traffic-system-ml-service -n traffic-system (scale)': { spec: { replicas: 4 } } },
    });
    expect(readActionLog(world.dataDir)[0].incidentId).toBe(incident.id);
  });

  it('rotating the JWT secret never writes the new value anywhere', async () => {
    world = await startActionsWorld('healthy');
    const { service, admin } = world;
    const plan = await service.call('actions.preview', { actionId: 'rotate-jwt-secret' });
    expect(plan.confirmWord).toBe('traffic-system-secrets');
    expect(plan.changes[0].diff).toContain('<redacted, new value>');
    const incident = await service.call('incidents.create', { title: 'tokens', severity: 'SEV2' } as any);
    await service.call('incidents.setActive', { id: incident.id });
    const outcome = await service.call('actions.apply', { planId: plan.planId, hash: plan.hash, confirmed: true, typed: 'traffic-system-secrets' });
    expect(outcome.result).toBe('succeeded');
    const data = (await admin.get(`/api/v1/namespaces/${NS}/secrets/traffic-system-secrets`))!.data['django-secret-key'];
    const value = Buffer.from(data, 'base64').toString('utf8');
    expect(value).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const written = [JSON.stringify(plan), JSON.stringify(outcome), readFileSync(actionLogPath(world.dataDir), 'utf8'), JSON.stringify(await service.call('incidents.entries', { id: incident.id } as any))];
    for (const text of written) {
      expect(text).not.toContain(value);
      expect(text).not.toContain(data);
    }
  });

  it('exec actions: the preview lists the command and pods; apply runs them and saves captures', async () => {
    const dump = '-- PostgreSQL database dump\nCREATE TABLE infractions (id bigint);\n';
    world = await startActionsWorld('healthy', {
      execReplies: [
        execReply({ pod: 'traffic-system-postgresql-0', command: 'pg_dump -U trafficuser trafficdb', stdout: dump }),
        execReply({ pod: 'traffic-system-backend-*', command: 'env ROADSIDE_USERNAME=agente.ruiz ROADSIDE_GROUP=operators python manage.py shell -c *user.groups.add(group)*', stdout: '{"user": "agente.ruiz", "group": "operators", "before": [], "after": ["operators"]}\n' }),
      ],
    });
    const { service } = world;
    const clean = await service.call('actions.preview', { actionId: 'clean-old-files', params: { scope: 'logs' } });
    expect(clean.changes).toEqual([]);
    expect(clean.commands.length).toBeGreaterThan(0);
    expect(clean.commands[0].command).toMatch(/^kubectl exec traffic-system-backend-\S+ -n traffic-system -c backend -- find \/app\/logs -name '\*\.log' -mtime \+7 -delete$/);
    expect(clean.commands[0].previewOutput).toContain('/app/logs/django.log');
    expect((await service.call('actions.apply', { planId: clean.planId, hash: clean.hash, confirmed: true })).result).toBe('succeeded');

    const backup = await service.call('actions.preview', { actionId: 'emergency-backup', params: { outDir: `${world.dir}/backups` } });
    expect(backup.commands[0]).toMatchObject({ pod: 'traffic-system-postgresql-0', argv: ['pg_dump', '-U', 'trafficuser', 'trafficdb'] });
    const saved = await service.call('actions.apply', { planId: backup.planId, hash: backup.hash, confirmed: true });
    expect(saved.result).toBe('succeeded');
    expect(saved.files).toHaveLength(2);
    expect(readFileSync(saved.files[0], 'utf8')).toBe(dump);
    expect(readFileSync(saved.files[1], 'utf8')).toMatch(/kind: Deployment[\s\S]*name: traffic-system-backend/);
    expect(readFileSync(saved.files[1], 'utf8')).not.toMatch(/kind: Secret\b/);

    const add = await service.call('actions.preview', { actionId: 'add-user-to-group', params: { username: 'agente.ruiz', group: 'operators' } });
    const argv = add.commands[0].argv;
    expect(argv.slice(0, 3)).toEqual(['env', 'ROADSIDE_USERNAME=agente.ruiz', 'ROADSIDE_GROUP=operators']);
    expect(argv[argv.length - 1]).not.toContain('agente.ruiz');
    const added = await service.call('actions.apply', { planId: add.planId, hash: add.hash, confirmed: true });
    expect(added.result).toBe('succeeded');
    expect(Object.values(added.after as Record<string, unknown>)[0]).toEqual(['operators']);

    // The sandbox has no reply for migrate: the command fails in the pod and that is recorded.
    const migrate = await service.call('actions.preview', { actionId: 'migrate-run-syncdb' });
    expect(migrate.commands[0].previewOutput).toContain('[X]  contenttypes.0001_initial');
    const failed = await service.call('actions.apply', { planId: migrate.planId, hash: migrate.hash, confirmed: true });
    expect(failed.result).toBe('failed');
    expect(failed.error).toMatch(/exited with 127/);
    expect(readActionLog(world.dataDir)[0]).toMatchObject({ actionId: 'migrate-run-syncdb', result: 'failed' });

    const profile = await service.call('actions.preview', { actionId: 'profile-backend', params: { outDir: `${world.dir}/captures` } });
    const captured = await service.call('actions.apply', { planId: profile.planId, hash: profile.hash, confirmed: true });
    expect(readFileSync(captured.files[0], 'utf8')).toContain('System check identified no issues');
  });

  it('helm rollback without a local helm gives the exact command and does not run', async () => {
    world = await startActionsWorld('healthy');
    const { service } = world;
    const plan = await service.call('actions.preview', { actionId: 'helm-rollback' });
    if (!plan.manual) return; // helm is installed on this machine: the rollback would run
    expect(plan.manual.command).toMatch(/^helm rollback traffic-system \d+ -n traffic-system --kube-context roadside-sandbox/);
    const err = await refusal(service.call('actions.apply', { planId: plan.planId, hash: plan.hash, confirmed: true, typed: 'traffic-system' }));
    expect(err.message).toContain('helm rollback traffic-system');
  });
});
