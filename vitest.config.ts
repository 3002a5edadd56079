import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// Unit, db, service, main-process and component tests. Component tests opt
// into jsdom with a `// @vitest-environment jsdom` comment at their top.
export default defineConfig({
  plugins: [react()],
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    environment: 'node',
    setupFiles: ['test/setup.ts'],
    testTimeout: 20_000,
    pool: 'forks',
  },
});
