// `roadside incident …`: the commander definitions; the work lives in commands/incident.ts.
import { Option, type Command } from 'commander';
import { INCIDENT_SEVERITIES, INCIDENT_STATUSES } from '../../shared/incidents';
import { collect } from './io';

export function registerIncidentCommands(program: Command): void {
  const incident = program
    .command('incident')
    .description('incident timelines: notes, status, attachments, export and import (kept in the local incident database)')
    .addHelpText('after', '\nExit codes: 0 done, 2 bad usage or input (unknown incident, over a limit, malformed file, damaged database).');

  incident
    .command('new')
    .description('open an incident (status active)')
    .requiredOption('--title <text>', 'one-line title')
    .addOption(new Option('--severity <sev>', 'severity').choices(INCIDENT_SEVERITIES).default('SEV3'))
    .option('--context <name>', 'kubeconfig context it concerns')
    .option('--namespace <ns>', 'namespace it concerns (e.g. traffic-system)')
    .option('--description <text>', 'what is happening (Markdown)')
    .option('--started-at <time>', 'when it started, ISO 8601 with a zone (default: now)')
    .option('--json', 'print the new incident as JSON (with its id)')
    .action(async (opts) => {
      const { runIncidentNew } = await import('./commands/incident');
      process.exitCode = await runIncidentNew(opts);
    });

  incident
    .command('list')
    .description('list incidents, newest first')
    .option('--status <status>', `only this status (repeatable): ${INCIDENT_STATUSES.join(', ')}`, collect, [])
    .option('--severity <sev>', `only this severity (repeatable): ${INCIDENT_SEVERITIES.join(', ')}`, collect, [])
    .option('--context <name>', 'only incidents of this context')
    .option('--search <words>', 'full-text search over titles, notes, findings and attachments')
    .option('--json', 'print JSON for scripts')
    .action(async (opts) => {
      const { runIncidentList } = await import('./commands/incident');
      process.exitCode = await runIncidentList(opts);
    });

  incident
    .command('show')
    .description('show an incident and its timeline')
    .argument('<id>', 'incident id')
    .option('--json', 'print the incident and every timeline entry as JSON')
    .option('--oldest-first', 'list entries oldest first (default newest first)')
    .action(async (id, opts) => {
      const { runIncidentShow } = await import('./commands/incident');
      process.exitCode = await runIncidentShow(id, opts);
    });

  incident
    .command('note')
    .description('add a Markdown note to the timeline (exits 0 once it is saved to disk)')
    .argument('<id>', 'incident id')
    .argument('[text]', 'the note; "-" reads it from standard input')
    .option('--file <file>', 'read the note from this file')
    .option('--json', 'print the saved entry as JSON')
    .action(async (id, text, opts) => {
      const { runIncidentNote } = await import('./commands/incident');
      process.exitCode = await runIncidentNote(id, text, opts);
    });

  incident
    .command('status')
    .description(`move the incident along ${INCIDENT_STATUSES.join(' → ')} (or back to active to reopen)`)
    .argument('<id>', 'incident id')
    .argument('<status>', INCIDENT_STATUSES.join(' | '))
    .option('--note <text>', 'why (goes on the status-change entry)')
    .option('--json', 'print the incident as JSON')
    .action(async (id, status, opts) => {
      const { runIncidentStatus } = await import('./commands/incident');
      process.exitCode = await runIncidentStatus(id, status, opts);
    });

  incident
    .command('attach')
    .description('attach a file (logs, dumps, screenshots) to the timeline')
    .argument('<id>', 'incident id')
    .argument('<file>', 'the file to attach')
    .option('--caption <text>', 'what it is (searchable)')
    .option('--json', 'print the attachment entry as JSON')
    .action(async (id, file, opts) => {
      const { runIncidentAttach } = await import('./commands/incident');
      process.exitCode = await runIncidentAttach(id, file, opts);
    });

  incident
    .command('export')
    .description('write the incident, its timeline and attachments to one portable JSON file')
    .argument('<id>', 'incident id')
    .requiredOption('--out <file>', 'file to write')
    .action(async (id, opts) => {
      const { runIncidentExport } = await import('./commands/incident');
      process.exitCode = await runIncidentExport(id, opts);
    });

  incident
    .command('import')
    .description('import an exported incident file (all of it or nothing)')
    .argument('<file>', 'a file written by roadside incident export')
    .option('--as-new-copy', 'import under a new id when the incident is already here')
    .option('--json', 'print the imported incident as JSON')
    .action(async (file, opts) => {
      const { runIncidentImport } = await import('./commands/incident');
      process.exitCode = await runIncidentImport(file, opts);
    });

  incident
    .command('events')
    .description("import the cluster's Warning events of the incident's namespace into its timeline")
    .argument('<id>', 'incident id')
    .option('--kubeconfig <file>', 'also read this kubeconfig file (repeatable)', collect, [])
    .action(async (id, opts) => {
      const { runIncidentEvents } = await import('./commands/incident');
      process.exitCode = await runIncidentEvents(id, opts);
    });
}
