// The timeline's entries as a virtualized list (only the rows on screen are in
// the page), read page by page with the store's cursors: scrolling near the end
// reads the next page; "end" reads the last page directly instead of every page
// in between; a jump reads the page around a time.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { EntryPage, TimelineEntry, TimelineEntryKind } from '../../../shared/incidents';
import type { RoadsideErrorShape } from '../../../shared/result';
import { ApiError, call, useApi } from '../api/context';
import { ErrorMessage } from './ErrorMessage';
import { TimelineEntryView } from './TimelineEntryView';

export interface TimelineQuery {
  order: 'newest' | 'oldest';
  kinds: TimelineEntryKind[];
  pinnedOnly: boolean;
  from?: string;
  to?: string;
  /** Read the page around this time and scroll to it. */
  around?: string;
  /** Entry to mark and scroll to. */
  highlightId?: number;
  /** Changes to read again with the same query. */
  nonce: number;
}

interface Props {
  incidentId: string;
  query: TimelineQuery;
  /** Changes when entries were added; the list reloads when it shows the start. */
  version: number;
  onJump(at: string, entryId?: number): void;
  onAttachText(name: string, text: string, caption: string): void;
}

const PAGE = 500;
const LOAD_AHEAD_ROWS = 40;

interface Window {
  entries: TimelineEntry[];
  /** Cursor to read more after the last row, in the list's order. */
  next: string | null;
  /** Cursor to read the rows before the first one. */
  previous: string | null;
}

export function TimelineList({ incidentId, query, version, onJump, onAttachText }: Props) {
  const { t } = useTranslation();
  const api = useApi();
  const scrollRef = useRef<HTMLDivElement>(null);
  const [win, setWin] = useState<Window>({ entries: [], next: null, previous: null });
  const [loading, setLoading] = useState(false);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<RoadsideErrorShape>();
  const [highlight, setHighlight] = useState<number | undefined>(query.highlightId);
  const pending = useRef(false);
  const scrollTarget = useRef<{ index: number; align: 'start' | 'center' | 'end' } | null>(null);

  const base = useCallback(
    () => ({
      id: incidentId,
      order: query.order,
      limit: PAGE,
      kinds: query.kinds,
      ...(query.pinnedOnly ? { pinnedOnly: true } : {}),
      ...(query.from ? { from: query.from } : {}),
      ...(query.to ? { to: query.to } : {}),
    }),
    [incidentId, query.order, query.kinds, query.pinnedOnly, query.from, query.to],
  );

  const read = useCallback(
    async (work: () => Promise<void>) => {
      if (pending.current) return;
      pending.current = true;
      setLoading(true);
      try {
        await work();
        setError(undefined);
      } catch (err) {
        setError(err instanceof ApiError ? err.shape : { code: 'internal', message: String(err) });
      } finally {
        pending.current = false;
        setLoading(false);
        setLoaded(true);
      }
    },
    [],
  );

  const loadStart = useCallback(
    () =>
      read(async () => {
        let page: EntryPage;
        if (query.around) {
          const { from: _f, to: _t, ...rest } = base();
          page = await call(api, 'incidents.entries', { ...rest, around: query.around });
          const target = query.highlightId ?? page.anchorId;
          const index = Math.max(0, page.entries.findIndex((e) => e.id === target));
          scrollTarget.current = { index, align: 'center' };
          setHighlight(target);
        } else {
          page = await call(api, 'incidents.entries', base());
          scrollTarget.current = { index: 0, align: 'start' };
        }
        setWin({ entries: page.entries, next: page.next, previous: page.previous });
      }),
    [api, base, query.around, query.highlightId, read],
  );

  useEffect(() => {
    pending.current = false;
    void loadStart();
    // query.nonce re-reads the same query.
  }, [loadStart, query.nonce]);

  // New entries: re-read when the start of the timeline is on screen, so a person
  // reading older entries is not moved.
  const atStart = win.previous === null;
  useEffect(() => {
    if (version > 0 && atStart && !query.around) void loadStart();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [version]);

  const loadNext = useCallback(
    () =>
      read(async () => {
        if (!win.next) return;
        const page = await call(api, 'incidents.entries', { ...base(), after: win.next });
        setWin((w) => ({ entries: [...w.entries, ...page.entries], next: page.next, previous: w.previous }));
      }),
    [api, base, read, win.next],
  );

  const loadPrevious = () =>
    read(async () => {
      if (!win.previous) return;
      const page = await call(api, 'incidents.entries', { ...base(), before: win.previous });
      scrollTarget.current = { index: page.entries.length, align: 'start' };
      setWin((w) => ({ entries: [...page.entries, ...w.entries], next: w.next, previous: page.previous }));
    });

  /** The last rows of the timeline, read directly (the first page in the other order). */
  const goToEnd = () => {
    if (!win.next) {
      virtualizer.scrollToIndex(win.entries.length - 1, { align: 'end' });
      return;
    }
    void read(async () => {
      const reversed = await call(api, 'incidents.entries', { ...base(), order: query.order === 'newest' ? 'oldest' : 'newest' });
      const entries = [...reversed.entries].reverse();
      scrollTarget.current = { index: entries.length - 1, align: 'end' };
      setWin({ entries, next: null, previous: reversed.next });
    });
  };
  const goToStart = () => {
    if (!win.previous) virtualizer.scrollToIndex(0, { align: 'start' });
    else void loadStart();
  };

  const virtualizer = useVirtualizer({
    count: win.entries.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 64,
    overscan: 6,
    getItemKey: (index) => win.entries[index]?.id ?? index,
  });
  const items = virtualizer.getVirtualItems();

  useEffect(() => {
    const target = scrollTarget.current;
    if (!target || win.entries.length === 0) return;
    scrollTarget.current = null;
    virtualizer.scrollToIndex(Math.min(target.index, win.entries.length - 1), { align: target.align });
  }, [win, virtualizer]);

  const lastVisible = items[items.length - 1]?.index ?? -1;
  useEffect(() => {
    if (win.next && !loading && lastVisible >= win.entries.length - LOAD_AHEAD_ROWS) void loadNext();
  }, [lastVisible, win.next, win.entries.length, loading, loadNext]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.target !== e.currentTarget) return;
    if (e.key === 'End') {
      e.preventDefault();
      goToEnd();
    } else if (e.key === 'Home') {
      e.preventDefault();
      goToStart();
    }
  };

  const pin = async (entry: TimelineEntry, pinned: boolean) => {
    try {
      const updated = await call(api, 'incidents.pin', { entryId: entry.id, pinned });
      setWin((w) => ({ ...w, entries: w.entries.map((e) => (e.id === updated.id ? updated : e)) }));
    } catch (err) {
      setError(err instanceof ApiError ? err.shape : { code: 'internal', message: String(err) });
    }
  };

  return (
    <div className="inc-list-wrap">
      <div className="inc-list-toolbar">
        <button type="button" onClick={goToStart} data-testid="timeline-start">
          {query.order === 'newest' ? t('incidents.list.newest') : t('incidents.list.oldest')}
        </button>
        <button type="button" onClick={goToEnd} data-testid="timeline-end">
          {query.order === 'newest' ? t('incidents.list.oldest') : t('incidents.list.newest')}
        </button>
        <span className="hint" data-testid="timeline-loaded" aria-live="polite">
          {loading ? t('common.loading') : t('incidents.list.loaded', { count: win.entries.length })}
        </span>
      </div>
      {error && <ErrorMessage error={error} onClose={() => setError(undefined)} />}
      {win.previous && (
        <button type="button" className="inc-load-previous" onClick={() => void loadPrevious()} disabled={loading}>
          {t('incidents.list.loadPrevious')}
        </button>
      )}
      <div
        ref={scrollRef}
        className="inc-list"
        tabIndex={0}
        role="feed"
        aria-busy={loading}
        aria-label={t('incidents.list.label')}
        onKeyDown={onKeyDown}
        data-testid="timeline-list"
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const entry = win.entries[item.index];
            return (
              <div
                key={item.key}
                ref={virtualizer.measureElement}
                data-index={item.index}
                className="inc-row"
                style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${item.start}px)` }}
              >
                <TimelineEntryView entry={entry} highlighted={entry.id === highlight} onPin={(e, p) => void pin(e, p)} onJump={onJump} onAttachText={onAttachText} />
              </div>
            );
          })}
        </div>
        {loaded && !loading && win.entries.length === 0 && <p className="empty">{t('incidents.list.empty')}</p>}
      </div>
    </div>
  );
}
