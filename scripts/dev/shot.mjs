import { chromium } from 'playwright-core';
const url = process.argv[2]; const out = process.argv[3]; const w = +(process.argv[4]||1920), h = +(process.argv[5]||1080);
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-gpu','--disable-quic','--disable-background-networking','--disable-component-update','--disable-sync','--use-fake-ui-for-media-stream','--use-fake-device-for-media-stream'] });
const p = await b.newPage({ viewport: { width: w, height: h } });
p.on('console', m => console.log('console:', m.type(), m.text()));
p.on('pageerror', e => console.log('pageerror', e.message));
await p.goto(url); await p.waitForTimeout(2500);
if (process.argv[6]) { await p.keyboard.type(process.argv[6], {delay: 3}); await p.keyboard.press('Enter'); await p.waitForTimeout(500); }
await p.screenshot({ path: out }); await b.close();
