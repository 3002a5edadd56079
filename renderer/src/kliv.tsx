import { createContext, useContext, type ReactNode } from 'react';
import type { KlivBridge } from '../../shared/api';

/** The renderer reaches the app only through window.kliv; tests pass a fake bridge here. */
const KlivContext = createContext<KlivBridge | null>(null);

export function KlivProvider({ bridge, children }: { bridge: KlivBridge; children: ReactNode }) {
  return <KlivContext.Provider value={bridge}>{children}</KlivContext.Provider>;
}

export function useKliv(): KlivBridge {
  const bridge = useContext(KlivContext);
  if (!bridge) throw new Error('useKliv outside KlivProvider');
  return bridge;
}
