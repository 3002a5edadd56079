import { describe, expect, it, vi } from 'vitest';
import { createHttpBridge } from '../../renderer/src/bridge/http-bridge';
import type { MethodName } from '../../shared/api';

function fakeFetch(reply: () => Promise<Response>) {
  return vi.fn<typeof fetch>(async () => reply());
}

describe('browser-mode bridge', () => {
  it('POSTs {method, input} as JSON to /api/call on the same origin and returns the server\'s result', async () => {
    const fetchImpl = fakeFetch(async () => new Response(JSON.stringify({ ok: true, value: { outcome: 'staff-badge' } }), { status: 200 }));
    const bridge = createHttpBridge(fetchImpl);
    expect(bridge.transport).toBe('browser');
    const result = await bridge.call('kiosk.scan', { payload: 'KLIV' });
    expect(result).toEqual({ ok: true, value: { outcome: 'staff-badge' } });
    expect(fetchImpl).toHaveBeenCalledTimes(1);
    const [url, init] = fetchImpl.mock.calls[0]!;
    expect(url).toBe('/api/call');
    expect(init?.method).toBe('POST');
    expect(init?.credentials).toBe('same-origin');
    expect(new Headers(init?.headers).get('content-type')).toBe('application/json');
    expect(JSON.parse(String(init?.body))).toEqual({ method: 'kiosk.scan', input: { payload: 'KLIV' } });
  });

  it('passes error results through unchanged (e.g. a 401 with its JSON body)', async () => {
    const body = { ok: false, error: { code: 'FORBIDDEN', message: 'Open the URL printed by `kliv serve`.' } };
    const bridge = createHttpBridge(fakeFetch(async () => new Response(JSON.stringify(body), { status: 401 })));
    expect(await bridge.call('kiosk.status', {})).toEqual(body);
  });

  it('an unknown method is refused without a request', async () => {
    const fetchImpl = fakeFetch(async () => new Response('{}'));
    const bridge = createHttpBridge(fetchImpl);
    expect(await bridge.call('no.such' as MethodName, {} as never)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    expect(fetchImpl).not.toHaveBeenCalled();
  });

  it('a network failure or a non-JSON reply becomes an error result, never a thrown exception', async () => {
    const down = createHttpBridge(fakeFetch(async () => { throw new TypeError('Failed to fetch'); }));
    expect(await down.call('kiosk.status', {})).toMatchObject({ ok: false, error: { code: expect.any(String) } });
    const html = createHttpBridge(fakeFetch(async () => new Response('<html>proxy error</html>', { status: 502 })));
    expect(await html.call('kiosk.status', {})).toMatchObject({ ok: false });
  });
});
