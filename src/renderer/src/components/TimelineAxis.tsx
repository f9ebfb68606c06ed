// The incident's time axis: one lane per entry kind, entries as marks (a mark is
// a time bucket; its strength says how many entries it holds), zoomable, with a
// range to select. Drawn in SVG from counts the core computes, so 100,000
// entries cost the same as 100. Keyboard: arrows move the cursor, Shift+arrows
// select, + and - zoom, 0 fits, Enter lists entries at the cursor, Esc clears.
import { useCallback, useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { IncidentDensity } from '../../../shared/contract-incidents';
import type { TimelineEntryKind } from '../../../shared/incidents';
import { call, useApi } from '../api/context';

export interface TimeRange {
  from: string;
  to: string;
}

interface Props {
  incidentId: string;
  lanes: readonly TimelineEntryKind[];
  /** Changes when entries were added, so the marks are read again. */
  version: number;
  selection: TimeRange | null;
  onSelect(range: TimeRange | null): void;
  onJump(at: string): void;
}

const LABEL_W = 120;
const AXIS_H = 22;
const LANE_H = 18;
const BUCKET_PX = 4;

function formatTick(ms: number, spanMs: number, locale: string): string {
  const d = new Date(ms);
  if (spanMs < 2 * 60_000) return d.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  if (spanMs < 36 * 3600_000) return d.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  return d.toLocaleString(locale, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export function TimelineAxis({ incidentId, lanes, version, selection, onSelect, onJump }: Props) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const helpId = useId();
  const wrapRef = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(800);
  const [view, setView] = useState<{ from: number; to: number } | null>(null);
  const [density, setDensity] = useState<IncidentDensity>();
  const [cursor, setCursor] = useState<number | null>(null);
  const [drag, setDrag] = useState<{ start: number; end: number } | null>(null);
  const anchor = useRef<number | null>(null);

  useEffect(() => {
    const el = wrapRef.current;
    if (!el) return;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.max(320, Math.floor(entry.contentRect.width))));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const plotW = width - LABEL_W;
  const buckets = Math.max(20, Math.min(2000, Math.floor(plotW / BUCKET_PX)));

  useEffect(() => {
    let live = true;
    void call(api, 'incidents.density', {
      id: incidentId,
      buckets,
      kinds: [...lanes],
      ...(view ? { from: new Date(view.from).toISOString(), to: new Date(view.to).toISOString() } : {}),
    }).then(
      (d) => live && setDensity(d),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api, incidentId, buckets, lanes, view, version]);

  const from = density ? Date.parse(density.from) : (view?.from ?? 0);
  const to = density ? Date.parse(density.to) : (view?.to ?? 1);
  const span = Math.max(1, to - from);
  const xOf = useCallback((ms: number) => LABEL_W + ((ms - from) / span) * plotW, [from, span, plotW]);
  const msOf = useCallback((x: number) => Math.round(from + ((x - LABEL_W) / plotW) * span), [from, span, plotW]);
  const height = AXIS_H + lanes.length * LANE_H + 4;

  const maxCount = useMemo(() => Math.max(1, ...(density?.cells.map((c) => c.count) ?? [1])), [density]);
  const ticks = useMemo(() => {
    const n = Math.max(2, Math.floor(plotW / 140));
    return Array.from({ length: n + 1 }, (_, i) => from + (span * i) / n);
  }, [from, span, plotW]);

  // From the latest view, not the last drawn one, so quick presses add up.
  const zoom = (factor: number) =>
    setView((prev) => {
      const base = prev ?? { from, to: from + span };
      const baseSpan = base.to - base.from;
      const around = cursor !== null && cursor >= base.from && cursor <= base.to ? cursor : base.from + baseSpan / 2;
      const newSpan = Math.max(1000, baseSpan * factor);
      const start = Math.round(around - newSpan * ((around - base.from) / baseSpan));
      return { from: start, to: Math.round(start + newSpan) };
    });
  const fit = () => setView(null);
  const zoomToSelection = () => selection && setView({ from: Date.parse(selection.from), to: Date.parse(selection.to) });

  const select = (a: number, b: number) => {
    const [lo, hi] = a <= b ? [a, b] : [b, a];
    onSelect({ from: new Date(lo).toISOString(), to: new Date(hi).toISOString() });
  };

  const onKeyDown = (e: KeyboardEvent<SVGSVGElement>) => {
    const step = span / (e.altKey ? 200 : 50) * (e.ctrlKey ? 10 : 1);
    const current = cursor ?? from;
    const move = (to: number) => {
      const next = Math.min(Math.max(to, from), from + span);
      if (e.shiftKey) {
        if (anchor.current === null) anchor.current = current;
        select(anchor.current, next);
      } else anchor.current = null;
      setCursor(next);
    };
    switch (e.key) {
      case 'ArrowRight':
        move(current + step);
        break;
      case 'ArrowLeft':
        move(current - step);
        break;
      case 'Home':
        move(from);
        break;
      case 'End':
        move(from + span);
        break;
      case '+':
      case '=':
        zoom(0.5);
        break;
      case '-':
      case '_':
        zoom(2);
        break;
      case '0':
        fit();
        break;
      case 'Enter':
      case ' ':
        onJump(new Date(current).toISOString());
        break;
      case 'Escape':
        anchor.current = null;
        onSelect(null);
        break;
      default:
        return;
    }
    e.preventDefault();
  };

  const localX = (e: PointerEvent<SVGSVGElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    return Math.min(Math.max(e.clientX - rect.left, LABEL_W), width);
  };
  const onPointerDown = (e: PointerEvent<SVGSVGElement>) => {
    if (e.button !== 0) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    const x = localX(e);
    setDrag({ start: x, end: x });
  };
  const onPointerMove = (e: PointerEvent<SVGSVGElement>) => {
    if (drag) setDrag({ ...drag, end: localX(e) });
  };
  const onPointerUp = (e: PointerEvent<SVGSVGElement>) => {
    if (!drag) return;
    const end = localX(e);
    setDrag(null);
    if (Math.abs(end - drag.start) < 4) {
      const at = msOf(end);
      setCursor(at);
      onJump(new Date(at).toISOString());
    } else select(msOf(drag.start), msOf(end));
  };

  const selX = selection ? [xOf(Date.parse(selection.from)), xOf(Date.parse(selection.to))] : null;
  const locale = i18n.language;
  const describeCursor = cursor === null ? t('incidents.axis.noCursor') : new Date(cursor).toLocaleString(locale);

  return (
    <div className="inc-axis" ref={wrapRef} data-testid="timeline-axis">
      <div className="inc-axis-toolbar">
        <button type="button" onClick={() => zoom(0.5)} aria-label={t('incidents.axis.zoomIn')} data-testid="axis-zoom-in">
          +
        </button>
        <button type="button" onClick={() => zoom(2)} aria-label={t('incidents.axis.zoomOut')}>
          −
        </button>
        <button type="button" onClick={fit}>
          {t('incidents.axis.fit')}
        </button>
        {selection && (
          <button type="button" onClick={zoomToSelection}>
            {t('incidents.axis.zoomSelection')}
          </button>
        )}
        <span className="hint" data-testid="axis-total">
          {t('incidents.axis.total', { count: density?.total ?? 0 })}
        </span>
      </div>
      <svg
        width={width}
        height={height}
        role="slider"
        tabIndex={0}
        aria-label={t('incidents.axis.label')}
        aria-describedby={helpId}
        aria-valuemin={from}
        aria-valuemax={to}
        aria-valuenow={cursor ?? from}
        aria-valuetext={describeCursor}
        onKeyDown={onKeyDown}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        className="inc-axis-svg"
      >
        {ticks.map((tick, i) => (
          <g key={i} className="inc-axis-tick">
            <line x1={xOf(tick)} x2={xOf(tick)} y1={AXIS_H - 4} y2={height} />
            {i < ticks.length - 1 && (
              <text x={xOf(tick) + 3} y={AXIS_H - 8}>
                {formatTick(tick, span, locale)}
              </text>
            )}
          </g>
        ))}
        {lanes.map((kind, lane) => (
          <g key={kind} className={`inc-lane inc-kind-${kind}`} data-lane={kind}>
            <rect className="inc-lane-bg" x={LABEL_W} y={AXIS_H + lane * LANE_H} width={plotW} height={LANE_H - 2} />
            <text className="inc-lane-label" x={4} y={AXIS_H + lane * LANE_H + LANE_H - 6}>
              {t(`incidents.kind.${kind}`)}
            </text>
          </g>
        ))}
        {density?.cells.map((cell) => {
          const lane = lanes.indexOf(cell.kind);
          if (lane < 0) return null;
          const bw = plotW / buckets;
          const strength = 0.35 + (0.65 * Math.log(cell.count + 1)) / Math.log(maxCount + 1);
          return (
            <rect
              key={`${cell.kind}-${cell.bucket}`}
              className={`inc-mark inc-kind-${cell.kind}`}
              data-kind={cell.kind}
              x={LABEL_W + cell.bucket * bw}
              y={AXIS_H + lane * LANE_H + 2}
              width={Math.max(2, bw - 1)}
              height={LANE_H - 6}
              opacity={strength}
            >
              <title>{`${t(`incidents.kind.${cell.kind}`)} · ${t('incidents.axis.entries', { count: cell.count })} · ${new Date(cell.firstAt).toLocaleString(locale)}`}</title>
            </rect>
          );
        })}
        {selX && <rect className="inc-axis-selection" x={Math.min(selX[0], selX[1])} y={AXIS_H} width={Math.max(2, Math.abs(selX[1] - selX[0]))} height={height - AXIS_H} />}
        {drag && <rect className="inc-axis-selection" x={Math.min(drag.start, drag.end)} y={AXIS_H} width={Math.abs(drag.end - drag.start)} height={height - AXIS_H} />}
        {cursor !== null && cursor >= from && cursor <= to && <line className="inc-axis-cursor" x1={xOf(cursor)} x2={xOf(cursor)} y1={AXIS_H} y2={height} />}
      </svg>
      <p id={helpId} className="hint inc-axis-help">
        {t('incidents.axis.help')}
      </p>
    </div>
  );
}
