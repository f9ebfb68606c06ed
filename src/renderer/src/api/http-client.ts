// RoadsideApi for the browser door: POST /api/invoke/<channel>, events over SSE.
// The token travels as a same-site HttpOnly cookie set from the launch URL.
import type { RoadsideApi, RoadsideEvent } from '../../../shared/contract';
import type { Result } from '../../../shared/result';

export function createHttpApi(base = ''): RoadsideApi {
  const listeners = new Set<(event: RoadsideEvent) => void>();
  let source: EventSource | undefined;

  function ensureEvents(): void {
    if (source) return;
    source = new EventSource(`${base}/api/events`);
    source.onmessage = (message) => {
      try {
        const event = JSON.parse(message.data) as RoadsideEvent;
        for (const l of listeners) l(event);
      } catch {
        // ignore a malformed event rather than break the UI
      }
    };
  }

  return {
    async invoke(channel, request) {
      try {
        const res = await fetch(`${base}/api/invoke/${encodeURIComponent(channel)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(request ?? {}),
          credentials: 'same-origin',
        });
        const body = (await res.json()) as Result<never>;
        return body;
      } catch (err) {
        return { ok: false, error: { code: 'unreachable', message: `Roadside server not reachable: ${(err as Error).message}` } };
      }
    },
    onEvent(listener) {
      listeners.add(listener);
      ensureEvents();
      return () => listeners.delete(listener);
    },
  };
}
