// The escalation report as Markdown (report.md), printable HTML (report.html) and a chat-sized
// summary. Rendered from a model whose values were already redacted; every text is escaped.
import type { EnvironmentSummary, EscalationChannelKind, TimelineItem } from '../../shared/contract-report';
import type { EscalationLevel } from '../../shared/incidents';

export interface ReportLogFile {
  file: string;
  lines: number;
  bytes: number;
  /** Lines that look like errors, already redacted. */
  excerpt: string[];
  note?: string;
}

export interface ReportModel {
  incidentId: string;
  title: string;
  severity: string;
  status: string;
  startedAt: string;
  generatedAt: string;
  roadsideVersion: string;
  level: EscalationLevel;
  channel: EscalationChannelKind;
  channelTarget: string;
  engineer: string;
  context?: string;
  namespace: string;
  description: string;
  steps: string;
  impact: string;
  logs: ReportLogFile[];
  attachments: Array<{ name: string; file: string; size: number }>;
  environment?: EnvironmentSummary;
  liveError?: string;
  notes: string[];
  findings: Array<{ at: string; checkId: string; status: string; message: string; command?: string }>;
  timeline: TimelineItem[];
  timelineTotal: number;
}

export const LEVEL_MEANING: Record<EscalationLevel, string> = {
  L1: 'L1 Support: basic problems and restarts (problemas básicos y reinicios)',
  L2: 'L2 Support: configuration and performance (problemas de configuración y performance)',
  L3: 'L3 Support: architecture and development (problemas de arquitectura y desarrollo)',
  Emergency: 'Emergency: critical production problems (problemas críticos de producción)',
};

const CHANNEL_LABEL: Record<EscalationChannelKind, string> = { slack: 'Slack', email: 'Email', phone: 'Phone', pagerduty: 'PagerDuty' };

export const SECTION_TITLES = [
  '1. Problem description (Descripción del problema)',
  '2. Steps to reproduce (Pasos para reproducir)',
  '3. Relevant logs (Logs relevantes)',
  '4. Environment configuration (Configuración del entorno)',
  '5. Impact on users (Impacto en usuarios)',
  '6. Incident timeline (Cronología del incidente)',
] as const;

function mdCell(s: string | number | undefined): string {
  return String(s ?? '').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function mdTable(header: string[], rows: Array<Array<string | number | undefined>>): string {
  if (rows.length === 0) return '_none_\n';
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`)].join('\n') + '\n';
}

function fence(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}\n${text}\n${f}\n`;
}

function orNone(text: string): string {
  return text.trim() ? text.trim() : '_not given_';
}

function environmentTables(env: EnvironmentSummary): Array<{ title: string; header: string[]; rows: Array<Array<string | number | undefined>> }> {
  return [
    { title: 'Nodes', header: ['name', 'ready', 'roles', 'kubelet', 'OS'], rows: env.nodes.map((n) => [n.name, n.ready ? 'yes' : 'NO', n.roles.join(', '), n.kubelet, n.os]) },
    {
      title: 'Workloads',
      header: ['kind', 'name', 'ready/replicas', 'images'],
      rows: env.workloads.map((w) => [w.kind, w.name, `${w.ready ?? 0}/${w.replicas ?? 0}`, w.images.join(', ')]),
    },
    { title: 'Pods', header: ['name', 'phase', 'restarts', 'containers'], rows: env.pods.map((p) => [p.name, p.phase, p.restarts, p.containers.join(', ')]) },
    { title: 'Services', header: ['name', 'type', 'ports'], rows: env.services.map((s) => [s.name, s.type, s.ports.join(', ')]) },
    { title: 'Ingress', header: ['name', 'class', 'hosts'], rows: env.ingresses.map((i) => [i.name, i.className, i.hosts.join(', ')]) },
    { title: 'PersistentVolumeClaims', header: ['name', 'status', 'capacity', 'storage class'], rows: env.pvcs.map((p) => [p.name, p.status, p.capacity, p.storageClass]) },
    { title: 'ConfigMaps', header: ['name', 'keys'], rows: env.configMaps.map((m) => [m.name, m.keys.join(', ')]) },
    { title: 'NetworkPolicies', header: ['name', 'pod selector', 'types'], rows: env.networkPolicies.map((n) => [n.name, n.podSelector, n.policyTypes.join(', ')]) },
    {
      title: 'Helm release history',
      header: ['release', 'revision', 'status', 'chart', 'app version', 'deployed', 'description'],
      rows: env.helmReleases.map((h) => [h.name, h.revision, h.status, h.chart, h.appVersion, h.lastDeployed, h.description]),
    },
    { title: 'Image versions', header: ['image', 'used by'], rows: env.images.map((i) => [i.image, i.workloads.join(', ')]) },
  ];
}

/** The report's header: what, when, to whom, from which cluster (both renderings). */
function headerRows(m: ReportModel): string[][] {
  return [
    ['Incident', `${m.incidentId} (${m.severity}, ${m.status})`],
    ['Started', m.startedAt],
    ['Escalation level', LEVEL_MEANING[m.level]],
    ['Send to', `${CHANNEL_LABEL[m.channel]}: ${m.channelTarget}`],
    ['Engineer', m.engineer],
    ['Cluster', `${m.context ?? '(none)'} / namespace ${m.namespace}`],
    ['Generated', `${m.generatedAt} by Roadside ${m.roadsideVersion}`],
  ];
}

export function renderMarkdown(m: ReportModel): string {
  const out: string[] = [];
  out.push(`# Escalation report: ${mdCell(m.title)}`, '');
  out.push(
    mdTable(
      ['', ''],
      headerRows(m),
    ),
  );
  if (m.liveError) out.push(`> **Live collection failed**: ${m.liveError}. This report holds only what the incident already recorded.`, '');
  for (const n of m.notes) out.push(`> Note: ${n}`, '');

  out.push(`## ${SECTION_TITLES[0]}`, '', orNone(m.description), '');
  out.push(`## ${SECTION_TITLES[1]}`, '', orNone(m.steps), '');

  out.push(`## ${SECTION_TITLES[2]}`, '');
  if (m.logs.length === 0 && m.attachments.length === 0) out.push('_No logs were included._', '');
  for (const l of m.logs) {
    out.push(`### \`${l.file}\``, '', `${l.lines} lines, ${l.bytes} bytes${l.note ? ` (${l.note})` : ''}.`, '');
    if (l.excerpt.length) out.push('Lines that look like errors:', '', fence(l.excerpt.join('\n')));
  }
  if (m.attachments.length) {
    out.push('Attachments from the incident:', '', mdTable(['file', 'bytes'], m.attachments.map((a) => [a.file, a.size])));
  }

  out.push(`## ${SECTION_TITLES[3]}`, '');
  if (!m.environment) out.push('_Not collected from the cluster._', '');
  else {
    const e = m.environment;
    out.push(`- Kubernetes version: ${e.kubernetesVersion ?? 'unknown'}`, `- API server: ${e.server ?? 'unknown'}`, `- Namespace: ${e.namespace}`, '');
    for (const t of environmentTables(e)) out.push(`### ${t.title}`, '', mdTable(t.header, t.rows));
    if (e.problems.length) out.push('Could not be read:', '', ...e.problems.map((p) => `- ${p}`), '');
  }

  out.push(`## ${SECTION_TITLES[4]}`, '', orNone(m.impact), '');

  out.push(`## ${SECTION_TITLES[5]}`, '');
  if (m.findings.length) {
    out.push('### Findings', '', mdTable(['at', 'check', 'status', 'message'], m.findings.map((f) => [f.at, f.checkId, f.status, f.message])));
  }
  out.push(mdTable(['at', 'kind', 'author', 'what'], m.timeline.map((t) => [t.at, t.kind, t.author, t.title])));
  if (m.timelineTotal > m.timeline.length) out.push(`_${m.timelineTotal - m.timeline.length} earlier entries are in incident/timeline.json._`, '');
  return out.join('\n');
}

export function escapeHtml(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function htmlTable(header: string[], rows: Array<Array<string | number | undefined>>): string {
  if (rows.length === 0) return '<p class="none">none</p>';
  return `<table><thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function paragraphs(text: string): string {
  if (!text.trim()) return '<p class="none">not given</p>';
  return text
    .trim()
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('');
}

/** A self-contained page (no scripts, no remote resources) that prints well. */
export function renderHtml(m: ReportModel): string {
  const parts: string[] = [];
  parts.push(
    htmlTable(
      ['', ''],
      headerRows(m),
    ),
  );
  if (m.liveError) parts.push(`<p class="warn"><strong>Live collection failed</strong>: ${escapeHtml(m.liveError)}. This report holds only what the incident already recorded.</p>`);
  for (const n of m.notes) parts.push(`<p class="note">Note: ${escapeHtml(n)}</p>`);
  parts.push(`<h2>${escapeHtml(SECTION_TITLES[0])}</h2>${paragraphs(m.description)}`);
  parts.push(`<h2>${escapeHtml(SECTION_TITLES[1])}</h2>${paragraphs(m.steps)}`);
  parts.push(`<h2>${escapeHtml(SECTION_TITLES[2])}</h2>`);
  for (const l of m.logs) {
    parts.push(`<h3><code>${escapeHtml(l.file)}</code></h3><p>${l.lines} lines, ${l.bytes} bytes${l.note ? ` (${escapeHtml(l.note)})` : ''}.</p>`);
    if (l.excerpt.length) parts.push(`<pre>${escapeHtml(l.excerpt.join('\n'))}</pre>`);
  }
  if (m.attachments.length) parts.push(htmlTable(['attachment', 'bytes'], m.attachments.map((a) => [a.file, a.size])));
  if (!m.logs.length && !m.attachments.length) parts.push('<p class="none">No logs were included.</p>');
  parts.push(`<h2>${escapeHtml(SECTION_TITLES[3])}</h2>`);
  if (!m.environment) parts.push('<p class="none">Not collected from the cluster.</p>');
  else {
    const e = m.environment;
    parts.push(`<ul><li>Kubernetes version: ${escapeHtml(e.kubernetesVersion ?? 'unknown')}</li><li>API server: ${escapeHtml(e.server ?? 'unknown')}</li><li>Namespace: ${escapeHtml(e.namespace)}</li></ul>`);
    for (const t of environmentTables(e)) parts.push(`<h3>${escapeHtml(t.title)}</h3>${htmlTable(t.header, t.rows)}`);
    if (e.problems.length) parts.push(`<p>Could not be read:</p><ul>${e.problems.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ul>`);
  }
  parts.push(`<h2>${escapeHtml(SECTION_TITLES[4])}</h2>${paragraphs(m.impact)}`);
  parts.push(`<h2>${escapeHtml(SECTION_TITLES[5])}</h2>`);
  if (m.findings.length) parts.push(`<h3>Findings</h3>${htmlTable(['at', 'check', 'status', 'message'], m.findings.map((f) => [f.at, f.checkId, f.status, f.message]))}`);
  parts.push(htmlTable(['at', 'kind', 'author', 'what'], m.timeline.map((t) => [t.at, t.kind, t.author, t.title])));
  if (m.timelineTotal > m.timeline.length) parts.push(`<p class="none">${m.timelineTotal - m.timeline.length} earlier entries are in incident/timeline.json.</p>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Escalation report: ${escapeHtml(m.title)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#111;max-width:70rem}
h1{font-size:1.5rem}h2{border-bottom:1px solid #ccc;margin-top:2rem;font-size:1.2rem}h3{font-size:1rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;width:100%}td,th{border:1px solid #ccc;padding:.2rem .4rem;text-align:left;vertical-align:top;font-size:12px}
th{background:#f2f2f2}pre{background:#f6f6f6;padding:.5rem;white-space:pre-wrap;word-break:break-all;font-size:11px}
.warn{background:#fff3cd;padding:.5rem}.note{color:#555}.none{color:#777;font-style:italic}
@media print{body{margin:0}h2{break-after:avoid}table,pre{break-inside:auto}}
</style></head><body>
<h1>Escalation report: ${escapeHtml(m.title)}</h1>
${parts.join('\n')}
</body></html>
`;
}

function cut(text: string, max: number): string {
  const one = text.trim().replace(/\s+/g, ' ');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** Markdown short enough for a chat message (at most 1,500 characters). */
export function renderSummary(m: ReportModel, bundleName?: string): string {
  const failing = m.findings.filter((f) => f.status === 'fail' || f.status === 'error');
  const lines = [
    `**[${m.level}] ${cut(m.title, 120)}** (${m.severity}, ${m.status})`,
    `Cluster: \`${m.context ?? '-'}\` / \`${m.namespace}\` · started ${m.startedAt}`,
    `**Problem:** ${cut(m.description || '-', 300)}`,
    `**Impact:** ${cut(m.impact || '-', 250)}`,
  ];
  if (failing.length) lines.push(`**Failing checks (${failing.length}):** ${cut(failing.slice(0, 5).map((f) => f.checkId).join(', '), 200)}`);
  if (m.liveError) lines.push(`_Live collection failed: ${cut(m.liveError, 150)}_`);
  lines.push(`Engineer: ${cut(m.engineer, 60)} · ${CHANNEL_LABEL[m.channel]} ${cut(m.channelTarget, 60)}${bundleName ? ` · bundle \`${cut(bundleName, 80)}\`` : ''}`);
  let text = lines.join('\n');
  if (text.length > 1500) text = `${text.slice(0, 1499)}…`;
  return text;
}
