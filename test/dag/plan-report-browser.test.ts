/**
 * The --report page in a real browser: Debian's chromium through playwright-core
 * (scripts/setup.sh --test installs it). Renders without console errors, one map shape per
 * state in the plan, and a screenshot for review in test-output/ (git-ignored).
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { PlanEstimate } from '../../src/dag/plan-estimate.js';
import { runBiomass } from '../support/cli.js';

const CHROMIUM = '/usr/bin/chromium';
const OUT = path.resolve('test-output');

describe('biomass plan --report', () => {
  it('renders in headless Chromium without console errors, with one map shape per state in the plan', async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (scripts/setup.sh --test does)`).toBe(true);
    mkdirSync(OUT, { recursive: true });
    const report = path.join(OUT, 'plan-us-report.html');
    const result = await runBiomass(['plan', 'plans/us.yaml', '--json', '--report', report], { env: {} });
    const estimate = JSON.parse(result.stdout) as PlanEstimate;
    expect(existsSync(report)).toBe(true);

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()); });
      page.on('pageerror', (error) => problems.push(error.message));
      const requests: string[] = [];
      page.on('request', (request) => { if (!request.url().startsWith('file:') && !request.url().startsWith('data:')) requests.push(request.url()); });
      await page.goto(pathToFileURL(report).href, { waitUntil: 'load' });

      for (const map of ['#map-order', '#map-peak']) {
        const fips = await page.locator(`${map} path.state`).evaluateAll((paths) => paths.map((p) => p.getAttribute('data-fips')));
        expect(fips.sort()).toEqual([...estimate.order.states].sort());
        const box = await page.locator(map).boundingBox();
        expect(box!.width).toBeGreaterThan(300);
      }
      expect(await page.locator('svg.gantt g.gantt-row').count()).toBe(estimate.states.length);
      expect(await page.locator('svg.storage polyline').count()).toBe(1);
      // us.yaml fits its budget: the page shows no refusal (the refused case is in test/cli-plan.test.ts).
      expect(estimate.refused ?? null).toBeNull();
      expect(await page.locator('.refused').count()).toBe(0);
      await page.screenshot({ path: path.join(OUT, 'plan-us-report.png'), fullPage: true });
      expect(problems).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
