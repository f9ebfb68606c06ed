// The PDF export goes through the same report rendering as the HTML; only the
// desktop door can print (Electron's printToPDF). Electron cannot run here, so the
// printer below is a stand-in that records the HTML it was given.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RoadsideService } from '../../src/main/service';

const dir = mkdtempSync(join(tmpdir(), 'roadside-pdf-'));
const service = new RoadsideService({ dataDir: join(dir, 'home'), door: 'cli', version: 'test', kubeconfig: { kubeconfigEnv: join(dir, 'none.yaml'), home: dir } });
afterAll(async () => {
  await service.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

describe('report.pdf', () => {
  it('outside the desktop app, explains how to get a PDF instead', async () => {
    const incident = await service.call('incidents.create', { title: 'Backend 502', severity: 'SEV2' });
    const r = await service.dispatch('report.pdf', { incidentId: incident.id, live: false, out: join(dir, 'r.pdf') });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    if (!r.ok) expect(r.error.message).toContain('Print → Save as PDF');
    expect(existsSync(join(dir, 'r.pdf'))).toBe(false);
  });

  it('with a printer (stand-in for Electron printToPDF), prints the rendered report and writes the file', async () => {
    const incident = await service.call('incidents.create', { title: 'Postgres down', severity: 'SEV1', description: 'FATAL in logs' });
    let printed = '';
    service.pdfPrinter = async (html) => {
      printed = html;
      return Buffer.from('%PDF-1.7 stand-in');
    };
    try {
      const out = join(dir, 'report.pdf');
      const result = await service.call('report.pdf', { incidentId: incident.id, live: false, out });
      expect(result).toEqual({ path: out, size: 17 });
      expect(readFileSync(out, 'utf8')).toBe('%PDF-1.7 stand-in');
      expect(printed).toContain('Postgres down');
      const again = await service.dispatch('report.pdf', { incidentId: incident.id, live: false, out });
      expect(again).toMatchObject({ ok: false, error: { code: 'conflict' } });
    } finally {
      service.pdfPrinter = undefined;
    }
  });
});
