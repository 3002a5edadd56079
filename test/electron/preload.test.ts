import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC_CHANNEL, METHOD_NAMES, type KlivBridge } from '../../shared/api';
import { fakes } from './fakes';

vi.mock('electron', async () => (await import('./fakes')).electronModule());

let bridge: KlivBridge;
let exposeCalls: unknown[][];

/** Calls through the bridge with values the type system would refuse. */
function callLoosely(method: unknown, input: unknown): Promise<unknown> {
  return (bridge.call as (m: unknown, i: unknown) => Promise<unknown>)(method, input);
}

beforeAll(async () => {
  // The preload does its work when loaded, as it does in the renderer.
  await import('../../electron/preload/preload');
  exposeCalls = fakes().contextBridge.exposeInMainWorld.mock.calls;
  bridge = exposeCalls[0]?.[1] as KlivBridge;
});

beforeEach(() => {
  fakes().ipcRenderer.invoke.mockClear();
});

describe('preload', () => {
  it('exposes window.kliv once, with only call and transport', () => {
    expect(exposeCalls).toHaveLength(1);
    expect(exposeCalls[0]?.[0]).toBe('kliv');
    expect(Object.keys(bridge).sort()).toEqual(['call', 'transport']);
    expect(bridge.transport).toBe('desktop');
    expect(typeof bridge.call).toBe('function');
    expect(Object.values(bridge)).not.toContain(fakes().ipcRenderer);
    expect(Object.values(bridge)).not.toContain(fakes().ipcRenderer.invoke);
  });

  it('sends a contract method over the one channel', async () => {
    const method = METHOD_NAMES[0];
    if (!method) throw new Error('the contract has no methods');
    fakes().ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, value: 'from main' });
    const result = await callLoosely(method, { x: 1 });
    expect(result).toEqual({ ok: true, value: 'from main' });
    expect(fakes().ipcRenderer.invoke).toHaveBeenCalledTimes(1);
    expect(fakes().ipcRenderer.invoke).toHaveBeenCalledWith(IPC_CHANNEL, { method, input: { x: 1 } });
  });

  it('rejects unknown method names without sending them', async () => {
    for (const method of ['no.such', '__proto__', 'constructor', 'toString', '', 42, null, undefined, { toString: () => METHOD_NAMES[0] }]) {
      expect(await callLoosely(method, {}), String(method)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    }
    expect(fakes().ipcRenderer.invoke).not.toHaveBeenCalled();
  });
});
