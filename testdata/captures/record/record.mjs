// Records HAR captures of the mock LINE Developers console
// (internal/mockconsole) in headless Chromium, one browser context per
// role. Usage: node record.mjs --url http://127.0.0.1:PORT/ --out DIR [--suffix=-fixed]
// Run by ../record.sh; see ../README.md.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    out: { type: 'string', default: '..' },
    suffix: { type: 'string', default: '' },
    chromium: { type: 'string', default: process.env.CHROMIUM || '/usr/bin/chromium' },
  },
});
if (!args.url) {
  console.error('usage: node record.mjs --url http://127.0.0.1:PORT/ --out DIR [--suffix=-fixed]');
  process.exit(2);
}
const base = args.url.endsWith('/') ? args.url : args.url + '/';

const roles = [
  { role: 'admin', email: 'alice@example.com' },
  { role: 'member', email: 'bob@example.com' },
  { role: 'tester', email: 'carol@example.com' },
];
const MESSAGING = '1656789012';
const LOGIN = '1657890123';
const tabs = {
  [MESSAGING]: ['basic', 'messaging-api', 'statistics', 'roles'],
  [LOGIN]: ['basic', 'roles'],
};

// Flags that work on this machine (closed network: no background traffic,
// no QUIC, no component or sync updates). Playwright passes the profile
// directory as --user-data-dir: a fresh, empty one per role.
const flags = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

async function waitRoute(page, route) {
  await page.waitForSelector(`#view[data-state="done"][data-route="${route}"]`, { timeout: 15000 });
  await page.waitForLoadState('networkidle');
}

for (const { role, email } of roles) {
  const path = resolve(args.out, `console-${role}${args.suffix}.har`);
  const profile = mkdtempSync(join(tmpdir(), 'cg-record-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: args.chromium,
    headless: true,
    args: flags,
    recordHar: { path, content: 'embed', mode: 'full' },
    viewport: { width: 1280, height: 900 },
    locale: 'en-US',
    timezoneId: 'Asia/Tokyo',
  });
  try {
    const page = context.pages()[0] || await context.newPage();
    await page.goto(base + '#/login');
    await waitRoute(page, 'login');
    await page.click(`button[data-email="${email}"]`);
    await waitRoute(page, 'channels');
    for (const channel of [MESSAGING, LOGIN]) {
      await page.click(`a[data-channel="${channel}"]`);
      await waitRoute(page, `channel/${channel}/basic`);
      for (const tab of tabs[channel].slice(1)) {
        await page.click(`.tabs a[data-tab="${tab}"]`);
        await waitRoute(page, `channel/${channel}/${tab}`);
      }
      await page.click('header a.brand');
      await waitRoute(page, 'channels');
    }
  } finally {
    await context.close(); // writes the HAR
    rmSync(profile, { recursive: true, force: true });
  }
  console.log(`wrote ${path}`);
}
