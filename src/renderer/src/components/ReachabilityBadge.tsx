import { useTranslation } from 'react-i18next';
import type { Reachability } from '../../../shared/kube';

export function ReachabilityBadge({ reachability }: { reachability?: Reachability }) {
  const { t } = useTranslation();
  if (!reachability) return <span className="badge badge-muted">{t('clusters.notProbed')}</span>;
  const { status } = reachability;
  const tone = status === 'ok' ? 'badge-ok' : status === 'timeout' || status === 'forbidden' ? 'badge-warn' : 'badge-fail';
  const label =
    status === 'ok'
      ? `${t('reach.ok')} · ${reachability.serverVersion ?? ''}`
      : status === 'tls-error'
        ? `${t('reach.tls-error')}: ${t(`reach.tls.${reachability.tlsReason ?? 'other'}`)}`
        : t(`reach.${status}`);
  return (
    <span className={`badge ${tone}`} title={reachability.detail ?? ''} data-status={status}>
      {label}
      <span className="badge-latency">{reachability.latencyMs} ms</span>
    </span>
  );
}
