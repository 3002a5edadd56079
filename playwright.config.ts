import { defineConfig } from '@playwright/test';

// End-to-end tests drive the real browser mode (`kliv serve`) in Debian's
// Chromium; Playwright's own browser download is never used.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export default defineConfig({
  testDir: 'test/e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: process.env.CI ? 2 : 2,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: '.test-reports/e2e.json' }]],
  outputDir: 'test-results',
  use: {
    viewport: { width: 1920, height: 1080 },
    launchOptions: {
      executablePath: process.env.KLIV_CHROMIUM ?? '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    },
    trace: 'off',
    screenshot: 'only-on-failure',
  },
});
