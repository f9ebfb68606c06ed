// One timeline entry: a line that always shows (time, kind, title, author, pin),
// the note's Markdown, and the kind's details when opened.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import Markdown from 'react-markdown';
import type { TimelineEntry } from '../../../shared/incidents';
import { call, useApi } from '../api/context';

interface Props {
  entry: TimelineEntry;
  highlighted: boolean;
  onPin(entry: TimelineEntry, pinned: boolean): void;
  /** Lists the timeline around a time, marking one entry. */
  onJump(at: string, entryId?: number): void;
  onAttachText(name: string, text: string, caption: string): void;
}

/** Markdown as text formatting only: raw HTML is dropped, never rendered. */
export function NoteMarkdown({ text }: { text: string }) {
  return (
    <div className="inc-markdown">
      <Markdown skipHtml>{text}</Markdown>
    </div>
  );
}

function Json({ value }: { value: unknown }) {
  if (value === undefined) return <span className="hint">—</span>;
  return <pre className="log">{typeof value === 'string' ? value : JSON.stringify(value, null, 2)}</pre>;
}

interface LooseEvidence {
  kind?: string;
  label?: string;
  lines?: string[];
  text?: string;
  command?: string;
  ref?: { kind?: string; name?: string };
}

function EntryDetails({ entry, onJump, onAttachText }: Omit<Props, 'highlighted' | 'onPin'>) {
  const { t } = useTranslation();
  const api = useApi();
  const [attachmentText, setAttachmentText] = useState<string>();
  switch (entry.kind) {
    case 'note':
      return null;
    case 'diagnostic-run': {
      const ids = entry.data.findingEntryIds ?? [];
      return (
        <div className="inc-details">
          <p>{entry.data.summary}</p>
          {ids.length > 0 && (
            <p>
              {t('incidents.entry.findings')}:{' '}
              {ids.map((id) => (
                <button key={id} type="button" className="link-button" onClick={() => onJump(entry.at, id)}>
                  #{id}
                </button>
              ))}
            </p>
          )}
        </div>
      );
    }
    case 'finding': {
      const evidence = (Array.isArray(entry.data.evidence) ? entry.data.evidence : []) as LooseEvidence[];
      return (
        <div className="inc-details">
          <p>
            <span className={`badge inc-finding-${entry.data.status}`}>{entry.data.status}</span> <span className="mono">{entry.data.checkId}</span> {entry.data.message}
          </p>
          {entry.data.command && <code className="mono">{entry.data.command}</code>}
          {evidence.map((e, i) => {
            const text = e.kind === 'log' ? (e.lines ?? []).join('\n') : e.kind === 'output' ? (e.text ?? '') : '';
            return (
              <div key={i} className="evidence">
                <div className="evidence-label">
                  {e.label} {e.ref?.name && <span className="mono">{e.ref.name}</span>} {e.command && <code className="mono">{e.command}</code>}
                  {text && (
                    <button
                      type="button"
                      className="link-button"
                      onClick={() =>
                        onAttachText(
                          `${entry.data.checkId}-${e.kind === 'log' ? 'log' : 'output'}-${i + 1}.txt`,
                          text,
                          t('incidents.entry.excerptCaption', { check: entry.data.checkId, label: e.label ?? '' }),
                        )
                      }
                    >
                      {t('incidents.entry.attachExcerpt')}
                    </button>
                  )}
                </div>
                {text && <pre className="log">{text}</pre>}
              </div>
            );
          })}
          {entry.data.runEntryId !== undefined && (
            <button type="button" className="link-button" onClick={() => onJump(entry.at, entry.data.runEntryId)}>
              {t('incidents.entry.run')} #{entry.data.runEntryId}
            </button>
          )}
          {(entry.data.remediation ?? []).length > 0 && (
            <ol className="remediation">
              {entry.data.remediation!.map((r, i) => (
                <li key={i}>{r}</li>
              ))}
            </ol>
          )}
        </div>
      );
    }
    case 'action':
      return (
        <div className="inc-details">
          <p>
            <span className="mono">{entry.data.actionId}</span> {entry.data.target} · {t('incidents.entry.result')}: <strong>{entry.data.result}</strong>
          </p>
          {entry.data.command && <code className="mono">{entry.data.command}</code>}
          {entry.data.error && <p className="problem-error">{entry.data.error}</p>}
          <div className="inc-before-after">
            <div>
              <h4>{t('incidents.entry.before')}</h4>
              <Json value={entry.data.before} />
            </div>
            <div>
              <h4>{t('incidents.entry.after')}</h4>
              <Json value={entry.data.after} />
            </div>
          </div>
        </div>
      );
    case 'status-change':
      return (
        <div className="inc-details">
          <p>
            {t(`incidents.status.${entry.data.from}`)} → {t(`incidents.status.${entry.data.to}`)}
          </p>
          {entry.body && <NoteMarkdown text={entry.body} />}
        </div>
      );
    case 'attachment': {
      const isText = /^text\/|json|yaml|xml|sql|x-sh/.test(entry.data.mediaType);
      return (
        <div className="inc-details">
          <p>
            <span className="mono">{entry.data.name}</span> · {entry.data.mediaType} · {t('incidents.entry.bytes', { count: entry.data.size })}
          </p>
          {entry.body && <p>{entry.body}</p>}
          <p className="hint mono">sha256 {entry.data.sha256}</p>
          {isText && attachmentText === undefined && (
            <button
              type="button"
              className="link-button"
              onClick={() => void call(api, 'incidents.attachmentText', { sha256: entry.data.sha256 }).then((r) => setAttachmentText(r.text), (err: Error) => setAttachmentText(err.message))}
            >
              {t('incidents.entry.showText')}
            </button>
          )}
          {attachmentText !== undefined && <pre className="log">{attachmentText}</pre>}
        </div>
      );
    }
    case 'cluster-event':
      return (
        <div className="inc-details">
          <p>
            <strong>{entry.data.reason}</strong> {entry.data.involvedObject?.kind}/{entry.data.involvedObject?.name} · {t('incidents.entry.count', { count: entry.data.count })}
          </p>
          <p>{entry.data.message}</p>
        </div>
      );
    case 'escalation':
      return (
        <div className="inc-details">
          <p>
            {entry.data.from ?? '—'} → <strong>{entry.data.level}</strong> {entry.data.to ? `(${entry.data.to})` : ''}
          </p>
        </div>
      );
  }
}

export function TimelineEntryView({ entry, highlighted, onPin, onJump, onAttachText }: Props) {
  const { t, i18n } = useTranslation();
  const [open, setOpen] = useState(false);
  const hasDetails = entry.kind !== 'note';
  return (
    <article className={`inc-entry inc-kind-${entry.kind}${highlighted ? ' inc-entry-highlight' : ''}`} data-entry-id={entry.id} data-kind={entry.kind}>
      <div className="inc-entry-head">
        <time dateTime={entry.at} className="mono hint">
          {new Date(entry.at).toLocaleString(i18n.language)}
        </time>
        <span className={`inc-kind-badge inc-kind-${entry.kind}`}>{t(`incidents.kind.${entry.kind}`)}</span>
        {hasDetails ? (
          <button type="button" className="inc-entry-title link-button" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
            {entry.title || t(`incidents.kind.${entry.kind}`)}
          </button>
        ) : (
          <span className="inc-entry-title" />
        )}
        <span className="hint">{entry.author}</span>
        <button
          type="button"
          className="link-button inc-pin"
          aria-pressed={entry.pinned}
          aria-label={entry.pinned ? t('incidents.entry.unpin') : t('incidents.entry.pin')}
          title={entry.pinned ? t('incidents.entry.unpin') : t('incidents.entry.pin')}
          onClick={() => onPin(entry, !entry.pinned)}
        >
          {entry.pinned ? '★' : '☆'}
        </button>
      </div>
      {entry.kind === 'note' && <NoteMarkdown text={entry.body} />}
      {open && <EntryDetails entry={entry} onJump={onJump} onAttachText={onAttachText} />}
    </article>
  );
}
