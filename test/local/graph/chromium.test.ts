import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderGraphPage } from '../../../local/graph/index.js';
import { compileSeed, ROOT, SEED_000, seed000Input, startSeedHarness, type SeedRun } from '../../integration/support/seed-harness.js';

/** As the issue asks: Debian's chromium, headless, nothing phoning home, a fresh profile. */
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const CANDIDATES = ['chromium', 'chromium-browser', '/usr/bin/chromium', 'google-chrome'];
const ARTIFACTS = join(ROOT, 'test-artifacts');
const INSTALL_TIMEOUT_MS = 300_000;

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findBrowser(): string | undefined {
  for (const candidate of CANDIDATES) {
    if (candidate.includes('/')) {
      if (executable(candidate)) return candidate;
      continue;
    }
    for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir && executable(join(dir, candidate))) return join(dir, candidate);
  }
  return undefined;
}

/** Installs Debian's chromium when this is a root shell with apt and the mirror answers in time; returns why not otherwise. */
function installBrowser(): string | undefined {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'not running as root on Linux, so apt-get install chromium was not tried';
  if (!executable('/usr/bin/apt-get')) return 'no apt-get on this machine';
  const started = Date.now();
  const apt = (args: string[]) =>
    // Short network timeouts: a CI machine without a Debian mirror should skip in seconds, not minutes.
    spawnSync('apt-get', ['-o', 'Acquire::Retries=0', '-o', 'Acquire::http::Timeout=15', '-o', 'Acquire::https::Timeout=15', ...args], {
      encoding: 'utf8',
      timeout: Math.max(1_000, INSTALL_TIMEOUT_MS - (Date.now() - started)),
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  // Fonts too: a minimal image may have none, and the screenshot should show the labels.
  const install = ['install', '-y', '--no-install-recommends', 'chromium', 'fonts-dejavu-core'];
  let result = apt(install);
  if (result.status !== 0 && !result.error) {
    // A fresh image has no package lists yet.
    const update = apt(['update']);
    if (update.status !== 0 || update.error) return `apt-get update failed (${update.error?.message ?? update.stderr.trim().split('\n').at(-1)})`;
    result = apt(install);
  }
  if (result.error) return `apt-get install chromium did not finish: ${result.error.message}`;
  if (result.status !== 0) return `apt-get install chromium failed: ${result.stderr.trim().split('\n').at(-1)}`;
  return findBrowser() ? undefined : 'apt-get installed chromium but no browser binary was found';
}

interface NodeInfo {
  state: string;
  executed: boolean;
  notEntered: boolean;
  status: string | null;
  fill: string;
  stroke: string;
  errors: string[];
  /** Each text line of the state, and whether it lies inside the shape as the browser laid it out. */
  textsInside: { text: string; inside: boolean }[];
  box: { left: number; top: number; right: number; bottom: number };
}

/** What the browser rendered for every state of the graph, read off the DOM and computed styles. */
function readNodes(page: Page): Promise<NodeInfo[]> {
  return page.$$eval('svg.graph g.node[data-state]', (elements) =>
    (elements as unknown as DomElement[]).map((g) => {
      const shape = g.querySelector('.shape')!;
      const style = (globalThis as unknown as { getComputedStyle(e: DomElement): { fill: string; stroke: string } }).getComputedStyle(shape);
      const shapeBox = shape.getBBox();
      const diamond = shape.tagName === 'polygon' && g.classList.contains('kind-choice');
      const textsInside = [...g.querySelectorAll(':scope > text')].map((t) => {
        const b = t.getBBox();
        const corners = [
          [b.x, b.y],
          [b.x + b.width, b.y],
          [b.x, b.y + b.height],
          [b.x + b.width, b.y + b.height],
        ];
        const cx = shapeBox.x + shapeBox.width / 2;
        const cy = shapeBox.y + shapeBox.height / 2;
        const inside = corners.every(([x, y]) =>
          diamond
            ? Math.abs(x - cx) / (shapeBox.width / 2) + Math.abs(y - cy) / (shapeBox.height / 2) <= 1
            : x >= shapeBox.x && x <= shapeBox.x + shapeBox.width && y >= shapeBox.y && y <= shapeBox.y + shapeBox.height,
        );
        return { text: t.textContent ?? '', inside };
      });
      const r = shape.getBoundingClientRect();
      return {
        state: g.dataset.state!,
        executed: g.classList.contains('executed'),
        notEntered: g.classList.contains('not-entered'),
        status: g.dataset.status ?? null,
        fill: style.fill,
        stroke: style.stroke,
        errors: [...g.querySelectorAll(':scope > text.err')].map((t) => t.textContent ?? ''),
        textsInside,
        box: { left: r.left, top: r.top, right: r.right, bottom: r.bottom },
      };
    }),
  );
}

/*
 * The page functions run in the browser; the project compiles without the DOM library, so they
 * name the little of the DOM they use here.
 */
interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}
interface DomElement {
  readonly tagName: string;
  readonly textContent: string | null;
  readonly classList: { contains(name: string): boolean };
  readonly dataset: Record<string, string | undefined>;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): Iterable<DomElement>;
  getBBox(): Rect;
  getBoundingClientRect(): Rect;
}
const GREEN_FILL = 'rgb(232, 245, 233)';
const GREEN_STROKE = 'rgb(46, 125, 50)';
const WHITE = 'rgb(255, 255, 255)';
const RED_FILL = 'rgb(255, 235, 238)';
const RED_STROKE = 'rgb(198, 40, 40)';
const ORANGE_FILL = 'rgb(255, 243, 224)';
const GREY = 'rgb(176, 183, 191)';
const GREY_CATCH = 'rgb(201, 184, 179)';

let browserPath = findBrowser();
let skipReason: string | undefined;

describe('the graph page in headless Chromium', () => {
  let context: BrowserContext | undefined;
  let profile: string | undefined;
  let verified: SeedRun;
  let invalid: SeedRun;
  const pages: Record<string, string> = {};

  beforeAll(async () => {
    if (!browserPath) {
      skipReason = installBrowser();
      browserPath = skipReason ? undefined : findBrowser();
    }
    const harness = await startSeedHarness();
    try {
      await harness.mintToken('customer', 'customersToken');
      verified = await harness.run(SEED_000, seed000Input('jane+pending3+verified@example.com'));
      invalid = await harness.run(SEED_000, seed000Input('jane@example.com', { firstName: 42 }));
    } finally {
      await harness.close();
    }
    const workflow = await compileSeed(SEED_000);
    await mkdir(ARTIFACTS, { recursive: true });
    for (const [name, run] of [
      ['graph-seed-000', verified],
      ['graph-seed-000-failed', invalid],
    ] as const) {
      const html = renderGraphPage({
        definition: workflow.definition,
        workflowId: workflow.plan.workflowId,
        history: run.history,
        execution: { executionArn: run.execution.executionArn, name: run.execution.name },
      });
      pages[name] = join(ARTIFACTS, `${name}.html`);
      await writeFile(pages[name], html);
    }
    if (!browserPath) return;
    profile = await mkdtemp(join(tmpdir(), 'arazzo-sfn-chromium-'));
    // Playwright passes the fresh profile as --user-data-dir itself.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: browserPath,
      headless: true,
      args: FLAGS,
      viewport: { width: 1600, height: 1000 },
      offline: true,
    });
  }, INSTALL_TIMEOUT_MS + 60_000);

  afterAll(async () => {
    await context?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  const open = async (name: string) => {
    const page = await context!.newPage();
    const external: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) external.push(r.url());
    });
    await page.goto(pathToFileURL(pages[name]).href, { waitUntil: 'load' });
    return { page, external };
  };

  it('highlights exactly the executed states and transitions of seed 000 (poll ×4) and saves the screenshot', async (ctx) => {
    if (!context) {
      const reason = `no Chromium (${CANDIDATES.join(', ')}): ${skipReason ?? 'not found'}`;
      console.warn(`skipped: ${reason}`);
      ctx.skip(reason);
      return;
    }
    const { page, external } = await open('graph-seed-000');
    const nodes = await readNodes(page);
    const entered = new Set(verified.statesEntered);
    expect(entered.size).toBe(7);
    expect(nodes.map((n) => n.state).sort()).toEqual(Object.keys((await compileSeed(SEED_000)).definition.States).sort());
    expect(nodes.filter((n) => n.executed).map((n) => n.state).sort()).toEqual([...entered].sort());
    for (const n of nodes) {
      if (entered.has(n.state)) {
        expect(n, n.state).toMatchObject({ executed: true, notEntered: false, status: 'succeeded', fill: GREEN_FILL, stroke: GREEN_STROKE });
      } else {
        expect(n, n.state).toMatchObject({ executed: false, notEntered: true, status: 'not-entered', fill: WHITE });
      }
      // The text width estimates hold with the fonts the browser really used.
      for (const t of n.textsInside) expect(t.inside, `"${t.text}" inside ${n.state}`).toBe(true);
    }
    for (let i = 0; i < nodes.length; i++) {
      for (let j = i + 1; j < nodes.length; j++) {
        const [a, b] = [nodes[i].box, nodes[j].box];
        const overlap = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
        expect(overlap, `${nodes[i].state} overlaps ${nodes[j].state}`).toBe(false);
      }
    }

    const edges = await page.$$eval('svg.graph g.edge', (elements) =>
      (elements as unknown as DomElement[]).map((g) => ({
        from: g.dataset.from ?? 'START',
        to: g.dataset.to!,
        taken: g.classList.contains('taken'),
        catch: g.classList.contains('catch'),
        count: Number(g.dataset.count),
        stroke: (globalThis as unknown as { getComputedStyle(e: DomElement): { stroke: string } }).getComputedStyle(g.querySelector('path.line')!).stroke,
      })),
    );
    const taken = edges.filter((e) => e.taken);
    expect(taken.map((e) => `${e.from} → ${e.to} ×${e.count}`).sort()).toEqual(
      [
        'START → Validate inputs ×1',
        'Validate inputs → createCustomer ×1',
        'createCustomer → startVerification ×1',
        'startVerification → pollVerification ×1',
        'pollVerification → pollVerification.route ×4',
        'pollVerification.route → pollVerification.wait ×3',
        'pollVerification.wait → pollVerification ×3',
        'pollVerification.route → pollVerification.end ×1',
      ].sort(),
    );
    for (const e of edges) expect(e.stroke, `${e.from} → ${e.to}`).toBe(e.taken ? GREEN_STROKE : e.catch ? GREY_CATCH : GREY);
    const visits = await page.$eval('svg.graph g.node[data-state="pollVerification"] .badge.visits text', (t) => t.textContent);
    expect(visits).toBe('×4');
    expect(await page.$eval('.summary .status', (s) => s.textContent)).toBe('SUCCEEDED');
    expect(external).toEqual([]);

    const shot = join(ARTIFACTS, 'graph-seed-000.png');
    await page.screenshot({ path: shot, fullPage: true });
    const png = await readFile(shot);
    expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    expect(png.length).toBeGreaterThan(20_000);
    await page.close();
  });

  it('shows a failed execution: the Fail state red with the error name, the caught Task orange, the rest not entered', async (ctx) => {
    if (!context) {
      ctx.skip(`no Chromium: ${skipReason ?? 'not found'}`);
      return;
    }
    expect(invalid.execution.status).toBe('FAILED');
    const { page, external } = await open('graph-seed-000-failed');
    const nodes = new Map((await readNodes(page)).map((n) => [n.state, n]));
    expect(nodes.get('Validate inputs')).toMatchObject({ executed: true, status: 'caught', fill: ORANGE_FILL, errors: ['Arazzo.InvalidInputs'] });
    expect(nodes.get('Validate inputs.failed')).toMatchObject({ executed: true, status: 'failed', fill: RED_FILL, stroke: RED_STROKE, errors: ['Arazzo.InvalidInputs'] });
    expect([...nodes.values()].filter((n) => n.executed)).toHaveLength(2);
    const cause = await page.$eval('.summary pre.cause', (p) => p.textContent);
    expect(cause).toBe(invalid.execution.cause);
    expect(external).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'graph-seed-000-failed.png'), fullPage: true });
    await page.close();
  });
});
