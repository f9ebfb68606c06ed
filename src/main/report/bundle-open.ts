// Opening a received bundle in Roadside: verify it, read its report, extract it for replay.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { BundleInfo } from '../../shared/contract-report';
import { readBundleFile, verifyBundle, type BundleLimits } from './bundle-reader';

/** Verifies every file against the manifest and returns the manifest, report.md and redactions.json. */
export async function openBundle(file: string): Promise<BundleInfo> {
  const opened = await verifyBundle(file);
  const has = (name: string) => opened.manifest.files.some((f) => f.path === name);
  const report = has('report.md') ? await readBundleFile(opened.path, 'report.md', 4 * 1024 * 1024) : undefined;
  let redactions: unknown = undefined;
  if (has('redactions.json')) {
    try {
      redactions = JSON.parse((await readBundleFile(opened.path, 'redactions.json', 16 * 1024 * 1024)).text);
    } catch {
      redactions = undefined;
    }
  }
  return { path: opened.path, size: opened.size, manifest: opened.manifest, verified: true, reportMarkdown: report?.text ?? '', redactions };
}

/** Folder under the data folder where a bundle is unpacked for replay. */
export function replayFolder(dataDir: string, incidentId: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
  const id = incidentId.replace(/[^a-zA-Z0-9]/g, '').slice(0, 8) || 'bundle';
  return join(dataDir, 'bundles', `${id}-${stamp}-${randomBytes(3).toString('hex')}`);
}

/** Verifies and unpacks a bundle into a new folder; returns the folder and the manifest. */
export async function extractBundle(file: string, dataDir: string, limits?: Partial<BundleLimits>) {
  const first = await verifyBundle(file, { limits });
  const dest = replayFolder(dataDir, first.manifest.incidentId);
  const opened = await verifyBundle(file, { extractTo: dest, limits });
  return { dir: dest, clusterDir: join(dest, 'cluster'), manifest: opened.manifest };
}
