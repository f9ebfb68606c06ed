import { Command } from 'cmdk';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call, useApi } from '../api/context';
import { useAppState, VIEWS } from '../state';

export function CommandPalette({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const { contexts, selectContext, setView } = useAppState();
  const [namespaces, setNamespaces] = useState<string[]>([]);
  const selected = contexts?.selected;

  useEffect(() => {
    if (!open || !selected?.context) return;
    let live = true;
    call(api, 'namespaces.list', { context: selected.context }).then(
      (l) => live && setNamespaces(l.namespaces),
      () => live && setNamespaces([]),
    );
    return () => {
      live = false;
    };
  }, [api, open, selected?.context]);

  const run = (fn: () => void) => {
    fn();
    onClose();
  };

  return (
    <Command.Dialog open={open} onOpenChange={(o) => !o && onClose()} label={t('palette.title')} className="palette">
      <Command.Input placeholder={t('palette.placeholder')} autoFocus />
      <Command.List>
        <Command.Empty>{t('palette.empty')}</Command.Empty>
        <Command.Group heading={t('palette.contexts')}>
          {contexts?.contexts.map((c) => (
            <Command.Item key={`ctx-${c.name}`} value={`context ${c.name}`} onSelect={() => run(() => void selectContext(c.name))}>
              {c.name}
              {c.name === selected?.context && <span className="tag">✓</span>}
            </Command.Item>
          ))}
        </Command.Group>
        {selected?.context && (
          <Command.Group heading={t('palette.namespaces')}>
            {[...new Set([selected.namespace, ...namespaces])].map((n) => (
              <Command.Item
                key={`ns-${n}`}
                value={`namespace ${n}`}
                onSelect={() => run(() => void selectContext(selected.context!, n))}
              >
                {n}
                {n === selected.namespace && <span className="tag">✓</span>}
              </Command.Item>
            ))}
          </Command.Group>
        )}
        <Command.Group heading={t('palette.views')}>
          {VIEWS.map((v) => (
            <Command.Item key={`view-${v}`} value={`view ${t(`nav.${v}`)}`} onSelect={() => run(() => setView(v))}>
              {t(`nav.${v}`)}
            </Command.Item>
          ))}
        </Command.Group>
      </Command.List>
    </Command.Dialog>
  );
}
