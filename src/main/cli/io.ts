import { RoadsideError } from '../errors';

export const EXIT_OK = 0;
/** Findings failed, or a check failed. */
export const EXIT_FINDINGS = 1;
/** Bad usage or bad input (flag, file, context). */
export const EXIT_USAGE = 2;
/** The cluster could not be reached or the credentials were refused. */
export const EXIT_UNREACHABLE = 3;

/** An error that ends the CLI with a given exit code and a one-line message. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof CliError) return err.exitCode;
  if (err instanceof RoadsideError) {
    switch (err.code) {
      case 'invalid-input':
      case 'not-found':
      case 'too-large':
      case 'read-only':
      case 'corrupt-database':
      case 'newer-version':
        return EXIT_USAGE;
      case 'unreachable':
      case 'timeout':
      case 'unauthorized':
      case 'forbidden':
        return EXIT_UNREACHABLE;
      default:
        return EXIT_FINDINGS;
    }
  }
  return EXIT_FINDINGS;
}

const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number) => (s: string) => (useColor ? `\x1b[${code}m${s}\x1b[0m` : s);
export const color = { red: paint(31), green: paint(32), yellow: paint(33), dim: paint(2), bold: paint(1), cyan: paint(36) };

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Pads columns for a plain-text table; the last column is not padded. */
export function formatTable(header: string[], rows: string[][]): string {
  const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => strip(r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i] - strip(c).length))).join('   ');
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function parsePositiveInt(flag: string, min = 1, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new CliError(`${flag} must be a whole number from ${min} to ${max}, got "${value}"`, EXIT_USAGE);
    }
    return n;
  };
}

/**
 * Resolves on Ctrl+C or SIGTERM. Call it before printing "press Ctrl+C": whoever reads
 * that line (a person, a script, a test) may press it at once.
 */
export function untilInterrupted(): Promise<void> {
  return new Promise((resolveStop) => {
    const stop = () => {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
      resolveStop();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
