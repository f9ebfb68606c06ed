// Preview → confirm → result for one action: parameters, the server-side dry-run diff (or
// the exact commands and pods), a typed confirmation for destructive actions, the outcome.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ActionInfo, ActionOutcome, ActionPlan, DiffHunk } from '../../../shared/actions';
import type { RoadsideErrorShape } from '../../../shared/result';
import { ApiError, call, useApi } from '../api/context';
import { ErrorMessage } from './ErrorMessage';

function DiffView({ hunks }: { hunks: DiffHunk[] }) {
  const { t } = useTranslation();
  if (hunks.length === 0) return <p className="hint">{t('actions.noChange')}</p>;
  return (
    <pre className="act-diff" data-testid="action-diff">
      {hunks.map((h, i) => (
        <span key={i}>
          <span className="act-diff-hunk">{`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@\n`}</span>
          {h.lines.map((line, j) => (
            <span key={j} className={line.startsWith('+') ? 'act-diff-add' : line.startsWith('-') ? 'act-diff-del' : 'act-diff-ctx'}>
              {line}
              {'\n'}
            </span>
          ))}
        </span>
      ))}
    </pre>
  );
}

function PlanView({ plan }: { plan: ActionPlan }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language === 'es' ? 'es' : 'en';
  return (
    <div className="act-plan" data-testid="action-plan">
      <dl className="act-facts">
        <dt>{t('actions.target')}</dt>
        <dd className="mono">{plan.target}</dd>
        <dt>{t('actions.where')}</dt>
        <dd className="mono">
          {plan.context} / {plan.namespace}
        </dd>
      </dl>
      {plan.changes.map((c, i) => (
        <section key={i} className="act-change">
          <h4>
            {t(`actions.operation.${c.operation}`)} <span className="mono">{`${c.kind.toLowerCase()}/${c.name}${c.subresource ? ` (${c.subresource})` : ''}`}</span>
            <span className="hint"> · {t('actions.dryRun')}</span>
          </h4>
          <DiffView hunks={c.hunks} />
        </section>
      ))}
      {plan.commands.map((c, i) => (
        <section key={`cmd-${i}`} className="act-change">
          <h4>
            {t('actions.execIn')} <span className="mono">{`pod/${c.pod}`}</span> <span className="hint">[{c.container}]</span>
          </h4>
          <code className="mono act-command">{c.command}</code>
          {c.previewOutput && (
            <>
              <div className="hint">{t('actions.previewOutput')}</div>
              <pre className="log">{c.previewOutput}</pre>
            </>
          )}
        </section>
      ))}
      {plan.localCommands.length > 0 && (
        <section className="act-change">
          <h4>{t('actions.onThisMachine')}</h4>
          {plan.localCommands.map((c) => (
            <code key={c} className="mono act-command">
              {c}
            </code>
          ))}
        </section>
      )}
      {plan.localFiles.length > 0 && (
        <p className="hint">
          {t('actions.writes')}: <span className="mono">{plan.localFiles.join(', ')}</span>
        </p>
      )}
      {plan.notes.map((n, i) => (
        <p key={i} className="act-note">
          {n[lang]}
        </p>
      ))}
      {plan.manual && (
        <div className="act-manual" role="note">
          <strong>{t('actions.manual')}</strong> {plan.manual.reason}
          <code className="mono act-command">{plan.manual.command}</code>
        </div>
      )}
    </div>
  );
}

export function ActionDialog({ info, context, namespace, onClose }: { info: ActionInfo; context: string; namespace?: string; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language === 'es' ? 'es' : 'en';
  const api = useApi();
  const [params, setParams] = useState<Record<string, string>>(() => Object.fromEntries(info.params.map((p) => [p.name, p.default ?? ''])));
  const [plan, setPlan] = useState<ActionPlan>();
  const [outcome, setOutcome] = useState<ActionOutcome>();
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<RoadsideErrorShape>();
  const applied = useRef(false);
  const planRef = useRef<ActionPlan | undefined>(undefined);
  planRef.current = plan;

  useEffect(
    () => () => {
      // Closing without applying drops the plan on the main side.
      if (planRef.current && !applied.current) void call(api, 'actions.discard', { planId: planRef.current.planId }).catch(() => undefined);
    },
    [api],
  );

  const guard = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (e) {
      setError(e instanceof ApiError ? e.shape : { code: 'internal', message: String(e) });
    } finally {
      setBusy(false);
    }
  };

  const preview = () =>
    guard(async () => {
      if (plan) void call(api, 'actions.discard', { planId: plan.planId }).catch(() => undefined);
      setPlan(undefined);
      setTyped('');
      const given = Object.fromEntries(Object.entries(params).filter(([, v]) => v.trim() !== ''));
      setPlan(await call(api, 'actions.preview', { actionId: info.id, context, ...(namespace ? { namespace } : {}), ...(Object.keys(given).length ? { params: given } : {}) }));
    });

  const apply = () =>
    guard(async () => {
      if (!plan) return;
      applied.current = true;
      setOutcome(await call(api, 'actions.apply', { planId: plan.planId, hash: plan.hash, confirmed: true, ...(plan.destructive ? { typed } : {}) }));
    });

  // Actions without parameters preview as soon as they open.
  useEffect(() => {
    if (info.params.length === 0) void preview();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const typedOk = !plan?.destructive || !plan.confirmWord || typed === plan.confirmWord;
  return (
    <div className="act-backdrop" onKeyDown={(e) => e.key === 'Escape' && !busy && onClose()}>
      <div className="act-dialog" role="dialog" aria-modal="true" aria-labelledby="act-dialog-title" data-testid="action-dialog">
        <header className="act-dialog-head">
          <h2 id="act-dialog-title">{info.title[lang]}</h2>
          <span className="hint mono">{info.id}</span>
        </header>
        <p className="hint">
          {t('diagnose.runbook')}: {info.runbook}
        </p>
        {info.params.length > 0 && !outcome && (
          <form
            className="act-params"
            onSubmit={(e) => {
              e.preventDefault();
              void preview();
            }}
          >
            {info.params.map((p) => (
              <label key={p.name} className="act-param">
                <span>
                  {p.name}
                  {p.required ? ' *' : ''}
                </span>
                <input name={p.name} value={params[p.name] ?? ''} required={p.required} onChange={(e) => setParams((prev) => ({ ...prev, [p.name]: e.target.value }))} />
                <span className="hint">{p.description[lang]}</span>
              </label>
            ))}
            <button type="submit" disabled={busy} data-testid="action-preview">
              {plan ? t('actions.previewAgain') : t('actions.preview')}
            </button>
          </form>
        )}
        {busy && !plan && <p className="hint">{t('actions.previewing')}</p>}
        {error && <ErrorMessage error={error} onClose={() => setError(undefined)} />}
        {plan && !outcome && <PlanView plan={plan} />}
        {plan && !outcome && !plan.manual && (
          <div className="act-confirm">
            {plan.destructive && plan.confirmWord && (
              <label className="act-typed">
                <span>{t('actions.typeToConfirm', { name: plan.confirmWord })}</span>
                <input value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} data-testid="action-typed" />
              </label>
            )}
            <button type="button" className={`primary ${plan.destructive ? 'act-danger' : ''}`} disabled={busy || !typedOk} onClick={() => void apply()} data-testid="action-apply">
              {busy ? t('actions.applying') : t('actions.apply')}
            </button>
          </div>
        )}
        {outcome && (
          <div className={`act-result act-result-${outcome.result}`} role="status" data-testid="action-result" data-result={outcome.result}>
            <strong>{t(`actions.result.${outcome.result}`)}</strong> {outcome.message}
            {outcome.outputs
              .filter((o) => o.text.trim())
              .map((o, i) => (
                <pre key={i} className="log">
                  {o.text}
                </pre>
              ))}
            <p className="hint">{outcome.incidentId ? t('actions.recordedIncident', { user: outcome.user }) : t('actions.recorded', { user: outcome.user })}</p>
          </div>
        )}
        <footer className="act-dialog-foot">
          <button type="button" onClick={onClose} disabled={busy} data-testid="action-close">
            {outcome ? t('common.close') : t('actions.cancel')}
          </button>
        </footer>
      </div>
    </div>
  );
}
