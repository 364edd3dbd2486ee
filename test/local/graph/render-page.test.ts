import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeText, renderGraphPage, type HistoryEventLike } from '../../../local/graph/index.js';
import { compileSeed, SEED_000, seed000Input, startSeedHarness, type SeedHarness } from '../../integration/support/seed-harness.js';

/** The page is polyglot markup: strict XML parsing finds any element an unescaped string would have opened. */
function parse(html: string): Document {
  const problems: string[] = [];
  // Warnings only say a U+FFFD is present, which escapeText puts there on purpose.
  const doc = new DOMParser({ onError: (level, message) => void (level !== 'warning' && problems.push(`${level}: ${message}`)) }).parseFromString(html, 'text/xml');
  expect(problems).toEqual([]);
  return doc;
}

const elements = (doc: Document, tag: string): Element[] => Array.from(doc.getElementsByTagName(tag));
const allElements = (doc: Document): Element[] => elements(doc, '*');
const hasClass = (el: Element, cls: string) => (el.getAttribute('class') ?? '').split(/\s+/).includes(cls);
const stateGroups = (doc: Document) => elements(doc, 'g').filter((g) => hasClass(g, 'node') && g.hasAttribute('data-state'));

/** Nothing that loads, runs or links: what a self-contained page without scripts may not contain. */
function expectSelfContained(html: string, doc: Document) {
  for (const tag of ['script', 'link', 'img', 'iframe', 'object', 'embed', 'image', 'use', 'foreignObject', 'a']) expect(elements(doc, tag), tag).toHaveLength(0);
  for (const el of allElements(doc)) {
    for (const attr of Array.from(el.attributes)) {
      expect(attr.name, `<${el.tagName} ${attr.name}>`).not.toMatch(/^(on|src$|href$|xlink:href$|srcset$|action$|formaction$)/i);
    }
  }
  expect(html).not.toMatch(/@import/i);
  // Only fragment references (the arrow markers) are allowed as url(...).
  expect(html.match(/url\((?!#)/g)).toBeNull();
  expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"/>`);
}

const HOSTILE_CAUSE = `</pre></style><script>alert("cause")</script><img src=x onerror=alert(1)> ]]> & &amp; "quotes" 'apos' \u0001 end`;
const HOSTILE_STATE = `<img src=x onerror=alert(2)>"'&`;
const HOSTILE_WORKFLOW = `wf</title><script>alert(3)</script>`;

describe('renderGraphPage', () => {
  let harness: SeedHarness;

  beforeAll(async () => {
    harness = await startSeedHarness();
    await harness.mintToken('customer', 'customersToken');
  });
  afterAll(() => harness.close());

  it('escapes a hostile state name, workflow id, error and cause: they stay text, no markup is injected', () => {
    const definition = {
      Comment: `<b>comment</b>`,
      StartAt: 'call',
      States: {
        call: {
          Type: 'Task',
          Resource: 'arn:aws:lambda:us-east-1:000000000000:function:f',
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: HOSTILE_STATE }],
          End: true,
        },
        [HOSTILE_STATE]: { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' },
      },
    };
    const error = `Err<script>"'&`;
    const t = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s)).toISOString();
    const history: HistoryEventLike[] = [
      { id: 1, type: 'ExecutionStarted', timestamp: t(0) },
      { id: 2, type: 'TaskStateEntered', timestamp: t(1), stateEnteredEventDetails: { name: 'call' } },
      { id: 3, type: 'LambdaFunctionScheduled', timestamp: t(1) },
      { id: 4, type: 'LambdaFunctionStarted', timestamp: t(1) },
      { id: 5, type: 'LambdaFunctionFailed', timestamp: t(2), lambdaFunctionFailedEventDetails: { error, cause: HOSTILE_CAUSE } } as HistoryEventLike,
      { id: 6, type: 'TaskStateExited', timestamp: t(2), stateExitedEventDetails: { name: 'call' } },
      { id: 7, type: 'FailStateEntered', timestamp: t(2), stateEnteredEventDetails: { name: HOSTILE_STATE } },
      { id: 8, type: 'ExecutionFailed', timestamp: t(3), executionFailedEventDetails: { error, cause: HOSTILE_CAUSE } } as HistoryEventLike,
    ];
    const html = renderGraphPage({ definition, workflowId: HOSTILE_WORKFLOW, history, execution: { name: `<i>name</i>` } });
    const doc = parse(html);
    expectSelfContained(html, doc);
    expect(elements(doc, 'b')).toHaveLength(0);
    expect(elements(doc, 'i')).toHaveLength(0);

    // The strings arrive intact as text (the control character replaced, as XML requires).
    const cause = elements(doc, 'pre').find((p) => hasClass(p, 'cause'))!;
    expect(cause.textContent).toBe(HOSTILE_CAUSE.replace('\u0001', '\uFFFD'));
    expect(elements(doc, 'title')[0].textContent).toContain(HOSTILE_WORKFLOW);
    const failed = stateGroups(doc).find((g) => g.getAttribute('data-state') === HOSTILE_STATE)!;
    expect(failed, 'the hostile state is drawn, its name as an attribute value').toBeDefined();
    expect(failed.getAttribute('data-status')).toBe('failed');
    expect(elements(failed as unknown as Document, 'text').map((t) => t.textContent)).toEqual(expect.arrayContaining([HOSTILE_STATE, error]));
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
  });

  it('escapeText covers markup, both quotes and characters XML forbids', () => {
    expect(escapeText(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
    expect(escapeText('a\u0000b\u001fc\ud800d\tok\n')).toBe('a\uFFFDb\uFFFDc\uFFFDd\tok\n');
    expect(escapeText('😀 stays')).toBe('😀 stays');
  });

  it('marks exactly the states and transitions a real execution took (seed 000, poll loop ×4)', async () => {
    const run = await harness.run(SEED_000, seed000Input('jane+pending3+verified@example.com'));
    const workflow = await compileSeed(SEED_000);
    const html = renderGraphPage({ definition: workflow.definition, workflowId: workflow.plan.workflowId, history: run.history, execution: { executionArn: run.execution.executionArn } });
    const doc = parse(html);
    expectSelfContained(html, doc);

    const groups = stateGroups(doc);
    expect(groups.map((g) => g.getAttribute('data-state')).sort()).toEqual(Object.keys(workflow.definition.States).sort());
    const executed = groups.filter((g) => hasClass(g, 'executed')).map((g) => g.getAttribute('data-state'));
    expect(executed.sort()).toEqual([...new Set(run.statesEntered)].sort());
    for (const g of groups) {
      const name = g.getAttribute('data-state')!;
      const entered = run.statesEntered.includes(name);
      expect(hasClass(g, entered ? 'st-succeeded' : 'not-entered'), name).toBe(true);
      expect(g.getAttribute('data-visits'), name).toBe(String(run.statesEntered.filter((s) => s === name).length));
    }
    const poll = groups.find((g) => g.getAttribute('data-state') === 'pollVerification')!;
    expect(elements(poll as unknown as Document, 'text').map((t) => t.textContent)).toContain('×4');

    const edges = elements(doc, 'g').filter((g) => hasClass(g, 'edge') && g.hasAttribute('data-to'));
    const taken = edges.filter((g) => hasClass(g, 'taken')).map((g) => `${g.getAttribute('data-from') ?? 'START'} → ${g.getAttribute('data-to')} ×${g.getAttribute('data-count')}`);
    expect(taken.sort()).toEqual(
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
    expect(edges.filter((g) => hasClass(g, 'not-taken'))).toHaveLength(edges.length - taken.length);
    // The loop is drawn up the side, and says how often it turned.
    const loop = edges.find((g) => g.getAttribute('data-from') === 'pollVerification.wait')!;
    expect(hasClass(loop, 'back')).toBe(true);
    expect(html).toContain(`<text`);
    expect(elements(doc, 'g').filter((g) => hasClass(g, 'edge-label') && hasClass(g, 'taken')).some((g) => g.textContent === '×3')).toBe(true);
    expect(html).toContain(`<span class="status SUCCEEDED">SUCCEEDED</span>`);
    expect(html).toContain(escapeText(run.execution.executionArn));
  });

  it('without a history draws the definition alone: no state marked executed or not entered', async () => {
    const workflow = await compileSeed(SEED_000);
    const html = renderGraphPage({ definition: workflow.definition, workflowId: workflow.plan.workflowId });
    const doc = parse(html);
    expectSelfContained(html, doc);
    const groups = stateGroups(doc);
    expect(groups).toHaveLength(Object.keys(workflow.definition.States).length);
    expect(groups.some((g) => hasClass(g, 'executed') || hasClass(g, 'not-entered') || g.hasAttribute('data-status'))).toBe(false);
    expect(html).toContain('No execution given');
    // Choice rules read as the outcomes they test.
    const labels = elements(doc, 'g').filter((g) => hasClass(g, 'edge-label')).map((g) => g.textContent);
    expect(labels).toEqual(expect.arrayContaining(['onSuccess.verified', 'onSuccess.pending', 'onSuccess.pending ∧ attempts ≥ 20', 'onSuccess.notVerifiedDefault']));
  });

  it('warns when the history enters states the definition does not have', async () => {
    const workflow = await compileSeed(SEED_000);
    const html = renderGraphPage({
      definition: workflow.definition,
      workflowId: workflow.plan.workflowId,
      history: [
        { id: 1, type: 'ExecutionStarted', timestamp: new Date(0) },
        { id: 2, type: 'PassStateEntered', timestamp: new Date(1), stateEnteredEventDetails: { name: 'somewhereElse' } },
      ],
    });
    expect(html).toContain('History does not match');
    expect(html).toContain('<code>somewhereElse</code>');
  });
});
