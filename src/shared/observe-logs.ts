// Pure helpers the Logs view, the CLI and the main side share: the line filter (the same
// lines are shown and saved), pod colours readable on both themes, and kubectl's ages.
import type { LogFilter, LogLine, LogStreamInfo } from './contract-observe';

export interface CompiledLogFilter {
  /** True when the line passes the filter. */
  test(line: LogLine): boolean;
  /** An invalid regular expression: the filter then lets every line through. */
  error?: string;
  active: boolean;
}

/** Case-insensitive text or regular expression, and pods switched off. */
export function compileLogFilter(filter: LogFilter | undefined): CompiledLogFilter {
  const hidden = new Set(filter?.hiddenStreams ?? []);
  const text = filter?.text ?? '';
  let match: (s: string) => boolean = () => true;
  let error: string | undefined;
  if (text) {
    if (filter?.regex) {
      try {
        const re = new RegExp(text, 'i');
        match = (s) => re.test(s);
      } catch (err) {
        error = (err as Error).message;
      }
    } else {
      const needle = text.toLowerCase();
      match = (s) => s.toLowerCase().includes(needle);
    }
  }
  return {
    active: (!!text && !error) || hidden.size > 0,
    ...(error ? { error } : {}),
    test: (line) => !hidden.has(line.stream) && match(line.text),
  };
}

/** One line as `kubectl logs --prefix --timestamps` prints it. */
export function formatLogLine(line: LogLine, streams: Pick<LogStreamInfo, 'pod' | 'container'>[]): string {
  const s = streams[line.stream];
  const prefix = s ? `[pod/${s.pod}/${s.container}] ` : '';
  return `${prefix}${line.time ? `${line.time} ` : ''}${line.text}`;
}

// ---- colours

export const POD_COLOR_SLOTS = 12;

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * A colour slot per pod: from a hash of its name (the same pod keeps its colour across
 * sessions), moved to the next free slot on a clash so that up to 12 pods all differ.
 */
export function assignPodSlots(pods: Iterable<string>): Map<string, number> {
  const names = [...new Set(pods)].sort();
  const slots = new Map<string, number>();
  const used = new Set<number>();
  for (const name of names) {
    const preferred = fnv1a(name) % POD_COLOR_SLOTS;
    let slot = preferred;
    if (used.size < POD_COLOR_SLOTS) {
      while (used.has(slot)) slot = (slot + 1) % POD_COLOR_SLOTS;
    }
    used.add(slot);
    slots.set(name, slot);
  }
  return slots;
}

type Rgb = [number, number, number];

function oklchToLinearRgb(l: number, c: number, hDeg: number): Rgb {
  const h = (hDeg * Math.PI) / 180;
  const a = c * Math.cos(h);
  const b = c * Math.sin(h);
  const l_ = (l + 0.3963377774 * a + 0.2158037573 * b) ** 3;
  const m_ = (l - 0.1055613458 * a - 0.0638541728 * b) ** 3;
  const s_ = (l - 0.0894841775 * a - 1.291485548 * b) ** 3;
  return [
    4.0767416621 * l_ - 3.3077115913 * m_ + 0.2309699292 * s_,
    -1.2684380046 * l_ + 2.6097574011 * m_ - 0.3413193965 * s_,
    -0.0041960863 * l_ - 0.7034186147 * m_ + 1.707614701 * s_,
  ];
}

const encode = (v: number) => (v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055);
const decode = (v: number) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);

function toHex(rgb: Rgb): string {
  return '#' + rgb.map((v) => Math.round(Math.min(1, Math.max(0, encode(v))) * 255).toString(16).padStart(2, '0')).join('');
}

/** OKLCH to an sRGB hex colour, lowering the chroma until it fits the sRGB gamut. */
export function oklchHex(l: number, c: number, h: number): string {
  for (let chroma = c; chroma > 0; chroma -= 0.005) {
    const rgb = oklchToLinearRgb(l, chroma, h);
    if (rgb.every((v) => v >= -1e-4 && v <= 1 + 1e-4)) return toHex(rgb);
  }
  return toHex(oklchToLinearRgb(l, 0, h));
}

/** WCAG 2 relative luminance of a #rrggbb colour. */
export function relativeLuminance(hex: string): number {
  const n = parseInt(hex.slice(1), 16);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((v) => decode(v / 255));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrastRatio(a: string, b: string): number {
  const [x, y] = [relativeLuminance(a), relativeLuminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

/**
 * The text colour of a pod (slot) and one of its containers on a theme. Equal OKLCH
 * lightness keeps every hue equally readable; containers of one pod step the lightness.
 */
export function streamColor(slot: number, containerIndex: number, theme: 'light' | 'dark'): string {
  const hue = (slot * 360) / POD_COLOR_SLOTS + 25;
  const step = Math.min(containerIndex, 3);
  return theme === 'light' ? oklchHex(0.5 - step * 0.05, 0.15, hue) : oklchHex(0.8 - step * 0.035, 0.13, hue);
}

// ---- ages

/** kubectl's HumanDuration (k8s.io/apimachinery/pkg/util/duration): 45s, 2m49s, 4d17h, 67d. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24) % 365;
    return days === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${days}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

/** Age of a timestamp as kubectl prints it; "<unknown>" without one. */
export function ageOf(timestamp: string | undefined, now: number): string {
  if (!timestamp) return '<unknown>';
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
}
