// Per-context SSH settings in the Clusters view: an optional bastion for the API server, node
// access for the node checks, and a connection test that asks about unknown host keys (showing
// their SHA256 fingerprint) and key passphrases when they are needed.
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { SshContextView } from '../../../shared/contract-ssh';
import type { SshContextSettings, SshTestReport, SshTestStep } from '../../../shared/ssh';
import { call, useApi } from '../api/context';

interface Draft {
  bastionHost: string;
  bastionPort: string;
  bastionUser: string;
  nodeUser: string;
  nodePort: string;
  addresses: string;
  keyFile: string;
}

function draftOf(s: SshContextSettings | null): Draft {
  return {
    bastionHost: s?.bastion?.host ?? '',
    bastionPort: String(s?.bastion?.port ?? 22),
    bastionUser: s?.bastion?.user ?? '',
    nodeUser: s?.nodes?.user ?? '',
    nodePort: String(s?.nodes?.port ?? 22),
    addresses: Object.entries(s?.nodes?.addresses ?? {})
      .map(([n, a]) => `${n}=${a}`)
      .join('\n'),
    keyFile: s?.keyFile ?? '',
  };
}

function settingsOf(d: Draft): SshContextSettings | null {
  const out: SshContextSettings = {};
  if (d.bastionHost.trim()) out.bastion = { host: d.bastionHost.trim(), port: Number(d.bastionPort) || 22, user: d.bastionUser.trim() };
  if (d.nodeUser.trim()) {
    const addresses: Record<string, string> = {};
    for (const line of d.addresses.split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) addresses[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
    }
    out.nodes = { user: d.nodeUser.trim(), port: Number(d.nodePort) || 22, addresses };
  }
  if (d.keyFile.trim()) out.keyFile = d.keyFile.trim();
  return out.bastion || out.nodes || out.keyFile ? out : null;
}

function StepRow({ step, onTrust }: { step: SshTestStep; onTrust: (step: SshTestStep) => void }) {
  const { t } = useTranslation();
  return (
    <li className={`ssh-step ssh-step-${step.status}`} data-kind={step.kind}>
      <strong>{t(`ssh.steps.${step.kind}`)}</strong> <span className="mono">{step.target}</span> — {t(`ssh.status.${step.status}`)}
      <div className="ssh-detail">{step.detail}</div>
      {step.code === 'unknown-host-key' && step.hostKey && (
        <div className="ssh-hostkey" role="alert">
          <p>{t('ssh.unknownKey', { host: `${step.hostKey.host}:${step.hostKey.port}` })}</p>
          <p className="mono ssh-fingerprint">
            {step.hostKey.keyType} {step.hostKey.fingerprint}
          </p>
          <button type="button" onClick={() => onTrust(step)}>
            {t('ssh.trustKey')}
          </button>
        </div>
      )}
      {step.code === 'changed-host-key' && step.hostKey && (
        <div className="ssh-hostkey ssh-hostkey-changed" role="alert">
          <p>{t('ssh.changedKey')}</p>
          <p className="mono ssh-fingerprint">
            {t('ssh.offered')}: {step.hostKey.fingerprint}
            <br />
            {t('ssh.known')}: {(step.hostKey.knownFingerprints ?? []).join(', ')}
          </p>
        </div>
      )}
    </li>
  );
}

export function SshSettingsPanel({ context }: { context: string }) {
  const { t } = useTranslation();
  const api = useApi();
  const [view, setView] = useState<SshContextView>();
  const [draft, setDraft] = useState<Draft>(draftOf(null));
  const [report, setReport] = useState<SshTestReport>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [passphrase, setPassphrase] = useState('');
  const [remember, setRemember] = useState(false);

  useEffect(() => {
    let live = true;
    setReport(undefined);
    call(api, 'ssh.settings.get', { context }).then(
      (v) => {
        if (!live) return;
        setView(v);
        setDraft(draftOf(v.settings));
      },
      (err: Error) => live && setError(err.message),
    );
    return () => {
      live = false;
    };
  }, [api, context]);

  const guarded = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const save = (e: FormEvent) => {
    e.preventDefault();
    void guarded(async () => setView(await call(api, 'ssh.settings.set', { context, settings: settingsOf(draft) })));
  };
  const test = () => guarded(async () => setReport(await call(api, 'ssh.test', { context })));
  const trust = (step: SshTestStep) =>
    guarded(async () => {
      await call(api, 'ssh.hostKey.trust', { host: step.hostKey!.host, port: step.hostKey!.port, fingerprint: step.hostKey!.fingerprint });
      setReport(await call(api, 'ssh.test', { context }));
    });
  const providePassphrase = (e: FormEvent) => {
    e.preventDefault();
    const keyFile = view?.settings?.keyFile;
    if (!keyFile || !passphrase) return;
    void guarded(async () => {
      await call(api, 'ssh.secret.provide', { keyFile, passphrase, remember });
      setPassphrase('');
      setReport(await call(api, 'ssh.test', { context }));
    });
  };
  const field = (key: keyof Draft, label: string, opts: { type?: string; placeholder?: string } = {}) => (
    <label className="ssh-field">
      <span>{label}</span>
      <input type={opts.type ?? 'text'} value={draft[key]} placeholder={opts.placeholder} spellCheck={false} onChange={(e) => setDraft({ ...draft, [key]: e.target.value })} />
    </label>
  );
  const needsPassphrase = report?.steps.some((s) => s.code === 'passphrase-needed');

  return (
    <section className="panel ssh-panel" aria-labelledby="ssh-title" data-testid="ssh-settings">
      <h2 id="ssh-title">{t('ssh.title', { context })}</h2>
      <p className="hint">{t('ssh.intro')}</p>
      {view?.isSandbox && <p className="hint ssh-sandbox">{t('ssh.sandboxHint')}</p>}
      <form onSubmit={save}>
        <fieldset className="ssh-group">
          <legend>{t('ssh.bastion')}</legend>
          {field('bastionHost', t('ssh.host'), { placeholder: 'bastion.example.com' })}
          {field('bastionPort', t('ssh.port'), { type: 'number' })}
          {field('bastionUser', t('ssh.user'))}
        </fieldset>
        <fieldset className="ssh-group">
          <legend>{t('ssh.nodes')}</legend>
          {field('nodeUser', t('ssh.user'))}
          {field('nodePort', t('ssh.port'), { type: 'number' })}
          <label className="ssh-field ssh-addresses">
            <span>{t('ssh.addresses')}</span>
            <textarea value={draft.addresses} rows={3} spellCheck={false} placeholder="worker-1=127.0.0.1:2222" onChange={(e) => setDraft({ ...draft, addresses: e.target.value })} />
          </label>
        </fieldset>
        <fieldset className="ssh-group">
          <legend>{t('ssh.auth')}</legend>
          {field('keyFile', t('ssh.keyFile'), { placeholder: '~/.ssh/id_ed25519' })}
          <span className="hint">{view?.agentAvailable ? t('ssh.agentAvailable') : t('ssh.agentMissing')}</span>
        </fieldset>
        <div className="inline-form">
          <button type="submit" disabled={busy}>
            {t('ssh.save')}
          </button>
          <button type="button" disabled={busy} onClick={() => void test()} data-testid="ssh-test">
            {busy ? t('ssh.testing') : t('ssh.test')}
          </button>
        </div>
      </form>
      {error && <p className="problem-error">{error}</p>}
      {report && (
        <ul className="ssh-steps" data-testid="ssh-report">
          {report.steps.map((s, i) => (
            <StepRow key={i} step={s} onTrust={(st) => void trust(st)} />
          ))}
        </ul>
      )}
      {needsPassphrase && (
        <form className="inline-form" onSubmit={providePassphrase}>
          <label>
            {t('ssh.passphrase')} <input type="password" value={passphrase} autoComplete="off" onChange={(e) => setPassphrase(e.target.value)} />
          </label>
          {view?.canRememberSecrets && (
            <label>
              <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} /> {t('ssh.remember')}
            </label>
          )}
          <button type="submit">{t('ssh.usePassphrase')}</button>
        </form>
      )}
      {view && (
        <details className="ssh-commands">
          <summary>{t('ssh.commands')}</summary>
          <ul>
            {view.commands.map((c) => (
              <li key={c.id}>
                <code>{c.line}</code> — {c.purpose}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
