// The reports area of the core: escalation drafts, redaction previews, bundles (write, open,
// replay). The heavy modules load on first use.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeFileAtomic } from '../data-folder';
import type { ReportDeps } from '../report/report-builder';
import { RoadsideError } from '../errors';
import type { AreaHandlers, RoadsideService } from '../service';

type ReportChannel =
  | 'report.incidents'
  | 'report.draft'
  | 'report.preview'
  | 'report.render'
  | 'report.build'
  | 'report.pdf'
  | 'report.channels'
  | 'bundle.open'
  | 'bundle.read'
  | 'bundle.replay';

/** What the report builder needs from the service, resolved once per request. */
export async function reportDeps(service: RoadsideService, incidentId?: string): Promise<ReportDeps> {
  const [info, contexts] = await Promise.all([service.call('app.info', {}), service.call('contexts.list', {}).catch(() => undefined)]);
  return {
    dataDir: service.dataDir,
    version: info.version,
    settings: () => service.settings.get(),
    kubeConfigFor: (context) => service.kubeConfigFor(context),
    selectedContext: () => ({ ...(contexts?.selected.context ? { context: contexts.selected.context } : {}), namespace: contexts?.selected.namespace ?? 'traffic-system' }),
    onProgress: incidentId ? (phase, done, total) => service.emit({ type: 'report-progress', incidentId, phase, done, total }) : undefined,
  };
}

export function createReportHandlers(service: RoadsideService): AreaHandlers<ReportChannel> {
  const report = () => import('../report');
  return {
    'report.incidents': async () => (await report()).listReportIncidents(await reportDeps(service)),
    'report.draft': async (req) => (await report()).draftReport(await reportDeps(service, req.incidentId), req),
    'report.preview': async (req) => (await report()).previewBundle(await reportDeps(service, req.incidentId), req),
    'report.render': async (req) => (await report()).renderReport(await reportDeps(service, req.incidentId), req),
    'report.build': async ({ out, confirmed, overwrite, ...req }) => {
      if (confirmed !== true) throw new RoadsideError('invalid-input', 'a bundle is written only after the redaction preview was confirmed');
      return (await report()).buildBundle(await reportDeps(service, req.incidentId), req, out, { overwrite });
    },
    'report.pdf': async ({ out, overwrite, ...req }) => {
      const printer = service.pdfPrinter;
      if (!printer)
        throw new RoadsideError('invalid-input', 'PDF export needs the desktop app; here, open the printable report and use Print → Save as PDF');
      const target = resolve(out);
      if (!overwrite && existsSync(target)) throw new RoadsideError('conflict', `${target} already exists`);
      if (!existsSync(dirname(target))) throw new RoadsideError('invalid-input', `folder ${dirname(target)} does not exist`);
      const { html } = await (await report()).renderReport(await reportDeps(service, req.incidentId), req);
      const pdf = await printer(html);
      writeFileAtomic(target, pdf);
      return { path: target, size: pdf.length };
    },
    'report.channels': async ({ channels }) => {
      const { channelsOf } = await report();
      if (channels) {
        const next = { ...channelsOf(service.settings.get()), ...channels };
        const settings = service.settings.update({ escalationChannels: next });
        service.emit({ type: 'settings-changed', settings });
      }
      return channelsOf(service.settings.get());
    },
    'bundle.open': async ({ path }) => (await report()).openBundle(path),
    'bundle.read': async ({ path, file }) => {
      const r = await (await report()).readBundleFile(path, file);
      return { file, ...r };
    },
    'bundle.replay': async ({ path, port }) => {
      const { extractBundle } = await report();
      const existing = service.sandbox.status();
      if (existing.running) throw new RoadsideError('conflict', `a sandbox is already running (${existing.scenario}, pid ${existing.pid}); stop it first`);
      const extracted = await extractBundle(path, service.dataDir);
      const status = await service.call('sandbox.start', { dir: extracted.clusterDir, ...(port ? { port } : {}) });
      return { extractedTo: extracted.dir, sandbox: status };
    },
  };
}
