// `roadside incident …`: the same core requests the UI makes, plus export/import
// of the portable file, which read and write files on this machine.
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Incident, IncidentStatus, TimelineEntry } from '../../../shared/incidents';
import { INCIDENT_LIMITS, INCIDENT_SEVERITIES, INCIDENT_STATUSES } from '../../../shared/incidents';
import { writeFileAtomic } from '../../data-folder';
import { RoadsideError } from '../../errors';
import { explainStoreError, incidentDeskFor, refreshClusterEvents } from '../../handlers/incidents';
import type { RoadsideService } from '../../service';
import { CliError, color, EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE, formatTable, printJson } from '../io';
import { createCliService } from '../service-factory';

async function withService<T>(work: (service: RoadsideService) => Promise<T>, opts: { kubeconfig?: string[] } = {}): Promise<T> {
  const service = createCliService(opts);
  try {
    return await work(service);
  } finally {
    await service.shutdown();
  }
}

function checkChoices(flag: string, values: string[], allowed: readonly string[]): void {
  const bad = values.filter((v) => !allowed.includes(v));
  if (bad.length) throw new CliError(`${flag} ${bad.join(', ')}: unknown (choose from ${allowed.join(', ')})`, EXIT_USAGE);
}

function statusColor(status: IncidentStatus): string {
  if (status === 'active') return color.red(status);
  if (status === 'mitigated') return color.yellow(status);
  return color.green(status);
}

function printEntry(entry: TimelineEntry): void {
  const pin = entry.pinned ? color.yellow('★ ') : '';
  process.stdout.write(`${color.dim(entry.at)}  ${color.cyan(entry.kind.padEnd(14))} ${pin}${entry.title}${color.dim(`  (${entry.author}, #${entry.id})`)}\n`);
}

export async function runIncidentNew(opts: {
  title: string;
  severity: string;
  context?: string;
  namespace?: string;
  description?: string;
  startedAt?: string;
  json?: boolean;
}): Promise<number> {
  checkChoices('--severity', [opts.severity], INCIDENT_SEVERITIES);
  return withService(async (service) => {
    const incident = await service.call('incidents.create', {
      title: opts.title,
      severity: opts.severity as Incident['severity'],
      ...(opts.context ? { context: opts.context } : {}),
      ...(opts.namespace ? { namespace: opts.namespace } : {}),
      ...(opts.description ? { description: opts.description } : {}),
      ...(opts.startedAt ? { startedAt: opts.startedAt } : {}),
    });
    if (opts.json) printJson(incident);
    else process.stdout.write(`Opened incident ${color.bold(incident.id)}: ${incident.title} (${incident.severity}, active)\n`);
    return EXIT_OK;
  });
}

export async function runIncidentList(opts: { status: string[]; severity: string[]; context?: string; search?: string; json?: boolean }): Promise<number> {
  checkChoices('--status', opts.status, INCIDENT_STATUSES);
  checkChoices('--severity', opts.severity, INCIDENT_SEVERITIES);
  return withService(async (service) => {
    const incidents = await service.call('incidents.list', {
      ...(opts.status.length ? { status: opts.status as IncidentStatus[] } : {}),
      ...(opts.severity.length ? { severity: opts.severity as Incident['severity'][] } : {}),
      ...(opts.context ? { context: opts.context } : {}),
      ...(opts.search ? { search: opts.search } : {}),
    });
    const hits = opts.search ? await service.call('incidents.search', { text: opts.search, limit: 50 }) : [];
    if (opts.json) {
      printJson(opts.search ? { incidents, hits } : incidents);
      return EXIT_OK;
    }
    if (!incidents.length) {
      process.stdout.write(opts.search ? `No incident matches "${opts.search}".\n` : 'No incidents yet. Open one with: roadside incident new --title "…"\n');
      return EXIT_OK;
    }
    process.stdout.write(
      formatTable(
        ['ID', 'SEVERITY', 'STATUS', 'STARTED', 'ENTRIES', 'TITLE'],
        incidents.map((i) => [i.id, i.severity, statusColor(i.status), i.startedAt.slice(0, 16).replace('T', ' '), String(i.entryCount), i.title]),
      ),
    );
    for (const hit of hits.filter((h) => h.entryId !== undefined).slice(0, 10)) {
      const snippet = hit.snippetParts.map((p) => (p.match ? color.bold(p.text) : p.text)).join('');
      process.stdout.write(`  ${color.dim(hit.incidentId.slice(0, 8))} ${hit.kind}: ${snippet.replace(/\s+/g, ' ')}\n`);
    }
    return EXIT_OK;
  });
}

export async function runIncidentShow(id: string, opts: { json?: boolean; oldestFirst?: boolean }): Promise<number> {
  return withService(async (service) => {
    const incident = await service.call('incidents.get', { id });
    const order = opts.oldestFirst ? 'oldest' : 'newest';
    if (opts.json) {
      const entries: TimelineEntry[] = [];
      let after: string | undefined;
      do {
        const page = await service.call('incidents.entries', { id, order, limit: INCIDENT_LIMITS.pageEntries, ...(after ? { after } : {}) });
        entries.push(...page.entries);
        after = page.next ?? undefined;
      } while (after);
      printJson({ incident, entries });
      return EXIT_OK;
    }
    const out = process.stdout;
    out.write(`${color.bold(incident.title)}  ${incident.severity} · ${statusColor(incident.status)}${incident.escalationLevel ? ` · ${incident.escalationLevel}` : ''}\n`);
    out.write(color.dim(`${incident.id} · started ${incident.startedAt} by ${incident.createdBy}`));
    out.write(color.dim(`${incident.context ? ` · ${incident.context}` : ''}${incident.namespace ? ` / ${incident.namespace}` : ''}\n`));
    for (const [label, text] of [
      ['Description', incident.description],
      ['Summary', incident.summary],
      ['Impact', incident.impact],
      ['Resolution', incident.resolution],
    ] as const) {
      if (text) out.write(`\n${color.bold(label)}\n${text}\n`);
    }
    const shown = 50;
    const page = await service.call('incidents.entries', { id, order, limit: shown });
    out.write(`\n${color.bold('Timeline')} (${incident.entryCount} entries)\n`);
    for (const entry of page.entries) printEntry(entry);
    if (incident.entryCount > page.entries.length) out.write(color.dim(`… ${incident.entryCount - page.entries.length} more (use --json for all)\n`));
    return EXIT_OK;
  });
}

function readNoteText(text: string | undefined, file: string | undefined): string {
  if (file !== undefined && text !== undefined) throw new CliError('give the note as TEXT or with --file, not both', EXIT_USAGE);
  try {
    if (file !== undefined) return readFileSync(resolve(file), 'utf8');
    if (text === '-') return readFileSync(0, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read the note: ${(err as Error).message}`, EXIT_USAGE);
  }
  if (text === undefined) throw new CliError('give the note as TEXT, "-" for standard input, or --file FILE', EXIT_USAGE);
  return text;
}

export async function runIncidentNote(id: string, text: string | undefined, opts: { file?: string; json?: boolean }): Promise<number> {
  const body = readNoteText(text, opts.file);
  if (!body.trim()) throw new CliError('the note is empty', EXIT_USAGE);
  return withService(async (service) => {
    const entry = await service.call('incidents.addNote', { id, body });
    if (opts.json) printJson(entry);
    else process.stdout.write(`Note #${entry.id} added to ${id}.\n`);
    return EXIT_OK;
  });
}

export async function runIncidentStatus(id: string, status: string, opts: { note?: string; json?: boolean }): Promise<number> {
  checkChoices('status', [status], INCIDENT_STATUSES);
  return withService(async (service) => {
    const incident = await service.call('incidents.setStatus', { id, status: status as IncidentStatus, ...(opts.note ? { note: opts.note } : {}) });
    if (opts.json) printJson(incident);
    else process.stdout.write(`Incident ${id} is now ${statusColor(incident.status)}.\n`);
    return EXIT_OK;
  });
}

export async function runIncidentAttach(id: string, file: string, opts: { caption?: string; json?: boolean }): Promise<number> {
  const path = resolve(file);
  try {
    if (!statSync(path).isFile()) throw new CliError(`${file}: not a file`, EXIT_USAGE);
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`${file}: file not found`, EXIT_USAGE);
  }
  return withService(async (service) => {
    const entry = await service.call('incidents.attach', { id, path, ...(opts.caption ? { caption: opts.caption } : {}) });
    if (opts.json) printJson(entry);
    else if (entry.kind === 'attachment') process.stdout.write(`Attached ${entry.data.name} (${entry.data.size} bytes, sha256 ${entry.data.sha256.slice(0, 12)}…) as #${entry.id}.\n`);
    return EXIT_OK;
  });
}

export async function runIncidentExport(id: string, opts: { out: string }): Promise<number> {
  return withService(async (service) => {
    const desk = incidentDeskFor(service);
    let exported;
    try {
      exported = desk.open().exportIncident(id);
    } catch (err) {
      throw explainStoreError(err, id);
    }
    const out = resolve(opts.out);
    writeFileAtomic(out, JSON.stringify(exported) + '\n');
    process.stdout.write(`Wrote ${exported.entries.length} entries and ${exported.attachments.length} attachments of "${exported.incident.title}" to ${out}\n`);
    return EXIT_OK;
  });
}

export async function runIncidentImport(file: string, opts: { asNewCopy?: boolean; json?: boolean }): Promise<number> {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliError(`${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message}`, EXIT_USAGE);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new CliError(`${file} is not an incident export: not valid JSON (${(err as Error).message}). Nothing was imported.`, EXIT_USAGE);
  }
  return withService(async (service) => {
    let incident: Incident;
    try {
      incident = await incidentDeskFor(service).open().importIncident(value, { asNewCopy: !!opts.asNewCopy });
    } catch (err) {
      const explained = explainStoreError(err);
      if (explained instanceof RoadsideError && explained.code !== 'corrupt-database' && explained.code !== 'newer-version') {
        throw new CliError(`${file} was not imported: ${explained.message}`, EXIT_USAGE);
      }
      throw explained;
    }
    if (opts.json) printJson(incident);
    else process.stdout.write(`Imported incident ${color.bold(incident.id)}: ${incident.title} (${incident.entryCount} entries)\n`);
    return EXIT_OK;
  });
}

export async function runIncidentEvents(id: string, opts: { kubeconfig: string[] }): Promise<number> {
  return withService(
    async (service) => {
      const result = await refreshClusterEvents(service, id);
      if (result.unreachable) {
        process.stderr.write(`roadside: cluster events of ${result.context ?? 'the selected context'} could not be read: ${result.unreachable}\n`);
        return EXIT_UNREACHABLE;
      }
      process.stdout.write(`Imported ${result.imported} new Warning event${result.imported === 1 ? '' : 's'} from ${result.context}${result.namespace ? ` / ${result.namespace}` : ''}.\n`);
      return EXIT_OK;
    },
    { kubeconfig: opts.kubeconfig },
  );
}
