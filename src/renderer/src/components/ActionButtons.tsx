// The actions a finding offers: one button each, disabled with the reason when the
// credentials (SelfSubjectAccessReview) or read-only mode do not allow it.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ActionAvailability, ActionId, ActionInfo } from '../../../shared/actions';
import { isActionId } from '../../../shared/actions';
import type { RoadsideApi } from '../../../shared/contract';
import { call, useApi } from '../api/context';
import { useAppState } from '../state';
import { ActionDialog } from './ActionDialog';

const infoCache = new WeakMap<RoadsideApi, Promise<ActionInfo[]>>();

export function useActionInfo(): Map<ActionId, ActionInfo> | undefined {
  const api = useApi();
  const [infos, setInfos] = useState<Map<ActionId, ActionInfo>>();
  useEffect(() => {
    let list = infoCache.get(api);
    if (!list) {
      list = call(api, 'actions.list', {});
      infoCache.set(api, list);
    }
    let live = true;
    list.then(
      (l) => live && setInfos(new Map(l.map((i) => [i.id, i]))),
      () => infoCache.delete(api),
    );
    return () => {
      live = false;
    };
  }, [api]);
  return infos;
}

function ActionButton({ info }: { info: ActionInfo }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language === 'es' ? 'es' : 'en';
  const api = useApi();
  const { contexts } = useAppState();
  const selected = contexts?.selected;
  const [availability, setAvailability] = useState<ActionAvailability>();
  const [checkError, setCheckError] = useState<string>();
  const [open, setOpen] = useState(false);

  useEffect(() => {
    if (!selected?.context) return;
    let live = true;
    setAvailability(undefined);
    call(api, 'actions.availability', { actionId: info.id, context: selected.context, ...(selected.namespace ? { namespace: selected.namespace } : {}) }).then(
      (a) => live && setAvailability(a),
      (e: Error) => live && setCheckError(e.message),
    );
    return () => {
      live = false;
    };
  }, [api, info.id, selected?.context, selected?.namespace]);

  const reason = availability && !availability.allowed ? (availability.code === 'read-only' ? t('actions.readOnly') : availability.reason) : checkError;
  return (
    <span className="act-button-wrap">
      <button
        type="button"
        className={`act-button ${info.destructive === true ? 'act-button-destructive' : ''}`}
        data-action={info.id}
        disabled={!availability?.allowed}
        title={reason ?? info.title[lang]}
        onClick={() => setOpen(true)}
      >
        {availability === undefined && !checkError ? `${info.title[lang]} …` : info.title[lang]}
      </button>
      {reason && (
        <span className="act-reason hint" data-action-reason={info.id}>
          {reason}
        </span>
      )}
      {open && selected?.context && <ActionDialog info={info} context={selected.context} namespace={selected.namespace} onClose={() => setOpen(false)} />}
    </span>
  );
}

export function ActionButtons({ actions }: { actions: string[] }) {
  const { t } = useTranslation();
  const infos = useActionInfo();
  const known = actions.filter(isActionId).filter((id, i, all) => all.indexOf(id) === i);
  if (!infos || known.length === 0) return null;
  return (
    <div className="act-buttons" aria-label={t('actions.heading')}>
      <h4>{t('actions.heading')}</h4>
      <div className="act-button-row">
        {known.map((id) => {
          const info = infos.get(id);
          return info ? <ActionButton key={id} info={info} /> : null;
        })}
      </div>
    </div>
  );
}
