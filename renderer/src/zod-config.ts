/**
 * Imported first by main.tsx, before any schema is defined: zod otherwise
 * probes whether it may compile code from strings when schemas are built,
 * which the CSP refuses and reports. The renderer never needs zod's compiled
 * fast path.
 */
import { z } from 'zod';

z.config({ jitless: true });
