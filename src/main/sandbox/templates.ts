// Placeholders in scenario replies (exec stdout/stderr, HTTP bodies), expanded when served
// so that a reply like `date +%s` stays consistent with the time the sandbox runs at.

const TEMPLATE = /\{\{\s*(now|nowEpoch)\s*(?:([+-])\s*(\d+))?\s*\}\}/g;

/**
 * Replaces `{{now}}` with `now` as RFC3339 (UTC, whole seconds) and `{{nowEpoch}}` with Unix
 * seconds. Either may carry an offset in seconds: `{{now-90}}`, `{{nowEpoch+300}}`.
 */
export function expandTemplates(text: string, now: Date): string {
  return text.replace(TEMPLATE, (_match, name: string, sign?: string, amount?: string) => {
    const offsetSeconds = sign ? (sign === '-' ? -1 : 1) * Number(amount) : 0;
    const epochSeconds = Math.floor(now.getTime() / 1000) + offsetSeconds;
    if (name === 'nowEpoch') return String(epochSeconds);
    return new Date(epochSeconds * 1000).toISOString().replace('.000Z', 'Z');
  });
}
