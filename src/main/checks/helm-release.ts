// Helm 3 release records: Secrets of type helm.sh/release.v1 (labels owner=helm, name,
// version, status) whose data.release is base64 (Kubernetes) of base64 (Helm) of gzip of
// the release JSON. Only the release's identity and state leave this module: the values
// and manifest may hold secrets and are never returned.
import { gunzipSync } from 'node:zlib';
import type { KObject } from './types';

export const HELM_RELEASE_SECRET_TYPE = 'helm.sh/release.v1';
const GZIP_MAGIC = [0x1f, 0x8b];
/** Releases are small; a record inflating beyond this is not one. */
const MAX_RELEASE_JSON_BYTES = 64 * 1024 * 1024;

export interface HelmReleaseSummary {
  name: string;
  namespace?: string;
  revision: number;
  status: string;
  chart?: string;
  chartVersion?: string;
  appVersion?: string;
  firstDeployed?: string;
  lastDeployed?: string;
  description?: string;
}

export class HelmReleaseDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HelmReleaseDecodeError';
  }
}

/** The release JSON from a Secret's data.release value (as the API returns it, base64). */
export function decodeReleasePayload(dataRelease: string): unknown {
  const helmEncoded = Buffer.from(dataRelease, 'base64').toString('latin1').trim();
  let raw = Buffer.from(helmEncoded, 'base64');
  if (raw.length === 0) throw new HelmReleaseDecodeError('the release record is empty');
  if (raw[0] === GZIP_MAGIC[0] && raw[1] === GZIP_MAGIC[1]) {
    try {
      raw = gunzipSync(raw, { maxOutputLength: MAX_RELEASE_JSON_BYTES });
    } catch (err) {
      throw new HelmReleaseDecodeError(`the release record is not valid gzip: ${(err as Error).message}`);
    }
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HelmReleaseDecodeError('the release record is not JSON');
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The summary of a decoded release: identity and state only, never config or manifest. */
export function summarizeRelease(release: any): HelmReleaseSummary {
  const meta = release?.chart?.metadata ?? {};
  return {
    name: String(release?.name ?? ''),
    namespace: str(release?.namespace),
    revision: Number(release?.version ?? 0),
    status: String(release?.info?.status ?? 'unknown'),
    chart: str(meta.name),
    chartVersion: str(meta.version),
    appVersion: str(meta.appVersion),
    firstDeployed: str(release?.info?.first_deployed),
    lastDeployed: str(release?.info?.last_deployed),
    description: str(release?.info?.description),
  };
}

export function decodeHelmReleaseSecret(secret: KObject): HelmReleaseSummary {
  const data = secret.data?.release;
  if (!data) throw new HelmReleaseDecodeError(`secret ${secret.metadata.name} has no release data`);
  return summarizeRelease(decodeReleasePayload(data));
}

/** The release secrets of one release, newest revision first. */
export function releaseSecrets(secrets: KObject[], release: string): KObject[] {
  return secrets
    .filter(
      (s) =>
        s.type === HELM_RELEASE_SECRET_TYPE &&
        s.metadata.labels?.owner === 'helm' &&
        s.metadata.labels?.name === release,
    )
    .sort((a, b) => revisionOf(b) - revisionOf(a));
}

export function revisionOf(secret: KObject): number {
  const fromLabel = Number(secret.metadata.labels?.version);
  if (Number.isFinite(fromLabel) && fromLabel > 0) return fromLabel;
  const m = /\.v(\d+)$/.exec(secret.metadata.name);
  return m ? Number(m[1]) : 0;
}

/**
 * A release record's summary: decoded when possible, else from the secret's labels
 * (Helm keeps status and version there too), with the decoding problem reported.
 */
export function readReleaseSecret(secret: KObject): { summary: HelmReleaseSummary; decodeError?: string } {
  try {
    const summary = decodeHelmReleaseSecret(secret);
    return { summary: { ...summary, revision: summary.revision || revisionOf(secret) } };
  } catch (err) {
    if (!(err instanceof HelmReleaseDecodeError)) throw err;
    return {
      summary: {
        name: secret.metadata.labels?.name ?? '',
        namespace: secret.metadata.namespace,
        revision: revisionOf(secret),
        status: secret.metadata.labels?.status ?? 'unknown',
      },
      decodeError: err.message,
    };
  }
}

export function isPendingStatus(status: string): boolean {
  return status.startsWith('pending-');
}
