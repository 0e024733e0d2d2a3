import type { Serialized } from '@langchain/core/load/serializable';
import { FallbackReceiptAnalyzer, OfflineReceiptAnalyzer } from '@receipt-gate/core';
import { COFFEE_SHOP_RECEIPT, GROCERY_RECEIPT, RecordingTelemetry } from '@receipt-gate/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LoopbackOllama, startLoopbackOllama } from '../../../test/loopback/ollama-server.js';
import { AMOUNTS_STEP } from './classify-amounts-node.js';
import { CONTEXT_STEP } from './classify-context-node.js';
import { LINE_ITEM_STEP_NAME } from './label-line-item-node.js';
import { LangGraphReceiptAnalyzer } from './langgraph-receipt-analyzer.js';
import { LlmAnalysisError } from './llm-analysis-error.js';
import { METADATA_CHECK } from './reply-schemas.js';
import {
  groundTruthReplies,
  inputOf,
  labelKeys,
  labelsReply,
  loopbackChat,
  sampleScript,
  stepOf,
  TEST_KEY,
  TEST_MODEL,
} from './scripted-model.test-support.js';

const coffee = COFFEE_SHOP_RECEIPT;
const truth = groundTruthReplies(coffee);
// Coffee shop: every labelled item word is on its total's line, so a perfect model's replies are its ground truth.
const LINE_TOTAL_LINES = [7, 8, 9, 10, 11];

let server: LoopbackOllama;
let telemetry: RecordingTelemetry;
beforeEach(async () => {
  server = await startLoopbackOllama();
  telemetry = new RecordingTelemetry();
});
afterEach(() => server.close());

function analyzerFor(
  config: Parameters<typeof loopbackChat>[1] = {},
  callbacks?: unknown[],
  analysisBudgetMs?: number,
) {
  const { chat } = loopbackChat(server, config, { telemetry, backoff: { baseMs: 5, maxMs: 20 } });
  return new LangGraphReceiptAnalyzer({
    chat,
    telemetry,
    ...(callbacks && { callbacks: callbacks as never }),
    ...(analysisBudgetMs !== undefined && { analysisBudgetMs }),
  });
}

const stepsCalled = () => server.chatBodies().map(stepOf).sort();

describe('LangGraphReceiptAnalyzer against the loopback Ollama', () => {
  it('proposes exactly what the model answered, per step, and checks the metadata', async () => {
    server.script(sampleScript(coffee));
    const analysis = await analyzerFor().analyze(inputOf(coffee));
    expect(analysis.analyzer).toBe('LANGGRAPH_OLLAMA');
    expect(labelKeys(analysis.proposals)).toEqual(labelKeys(coffee.groundTruth));
    expect(analysis.metadata).toEqual({
      matches: true,
      corrections: {},
      reasoning: 'metadata_check: name, phone and address are printed on the receipt',
    });
    expect(analysis.dropped).toEqual({});
    expect(analysis.steps.every((step) => step.ok)).toBe(true);
    // One line-item step per line total, fanned out after the amounts.
    expect(stepsCalled()).toEqual(
      [
        AMOUNTS_STEP.name,
        CONTEXT_STEP.name,
        METADATA_CHECK,
        ...LINE_TOTAL_LINES.map(() => LINE_ITEM_STEP_NAME),
      ].sort(),
    );
    const lineItemLines = server
      .chatBodies()
      .filter((body) => stepOf(body) === LINE_ITEM_STEP_NAME)
      .map((body) => Number(/Task: line (\d+)/.exec(body.messages?.[0]?.content ?? '')?.[1]))
      .sort((a, b) => a - b);
    expect(lineItemLines).toEqual(LINE_TOTAL_LINES);
    expect(telemetry.metricTotal('LlmCalls')).toBe(8);
    expect(telemetry.metricTotal('LlmProposalsDropped')).toBe(0);
    for (const request of server.requests) {
      expect(request.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
      expect(request.rawBody).not.toContain(TEST_KEY);
    }
  });

  it('shows a line-item step only its own line and its neighbours', async () => {
    server.script(sampleScript(GROCERY_RECEIPT));
    await analyzerFor().analyze(inputOf(GROCERY_RECEIPT));
    const body = server
      .chatBodies()
      .find((b) => stepOf(b) === LINE_ITEM_STEP_NAME && /line 11 holds/.test(b.messages?.[0]?.content ?? ''));
    const shown = [...(body?.messages?.[1]?.content ?? '').matchAll(/^line (\d+):/gm)].map((m) =>
      Number(m[1]),
    );
    expect(shown).toEqual([10, 11, 12]);
  });

  it("drops a step whose reply is malformed JSON, keeping the other steps' proposals", async () => {
    server.script(
      sampleScript(coffee, { [CONTEXT_STEP.name]: () => ({ content: '{"labels": [{"line_id": 1,' }) }),
    );
    const analysis = await analyzerFor().analyze(inputOf(coffee));
    const contextLabels = new Set<string>(CONTEXT_STEP.labels);
    expect(labelKeys(analysis.proposals)).toEqual(
      labelKeys(coffee.groundTruth.filter((label) => !contextLabels.has(label.label))),
    );
    expect(analysis.steps.find((step) => step.step === CONTEXT_STEP.name)).toMatchObject({
      ok: false,
      error: expect.stringContaining('not JSON'),
    });
  });

  it('drops a step whose reply has the wrong schema; no amounts means no line-item steps', async () => {
    server.script(sampleScript(coffee, { [AMOUNTS_STEP.name]: () => ({ json: { amounts: ['5.75'] } }) }));
    const analysis = await analyzerFor().analyze(inputOf(coffee));
    expect(labelKeys(analysis.proposals)).toEqual(labelKeys(truth.context));
    expect(stepsCalled()).toEqual([AMOUNTS_STEP.name, CONTEXT_STEP.name, METADATA_CHECK].sort());
    expect(analysis.steps.find((step) => step.step === AMOUNTS_STEP.name)?.error).toMatch(
      /does not match the schema/,
    );
  });

  it('drops and counts hallucinated ids, labels outside the vocabulary or the step, and non-amounts', async () => {
    server.script(
      sampleScript(coffee, {
        [AMOUNTS_STEP.name]: () =>
          labelsReply([
            ...truth.amounts,
            { lineId: 15, wordId: 9, label: 'GRAND_TOTAL' },
            { lineId: 400, wordId: 1, label: 'GRAND_TOTAL' },
            { lineId: 0, wordId: 1, label: 'TAX' },
            { lineId: 15, wordId: 2, label: 'TOTAL_AMOUNT' },
            { lineId: 1, wordId: 1, label: 'GRAND_TOTAL' },
            { lineId: 15, wordId: 2, label: 'MERCHANT_NAME' },
          ]),
        [LINE_ITEM_STEP_NAME]: (body) => {
          const line = Number(/Task: line (\d+)/.exec(body.messages?.[0]?.content ?? '')?.[1]);
          // A line item labelling the grand total's line, two lines away: not among the lines it was shown.
          return labelsReply([
            ...truth.lineItem(line),
            { lineId: line + 2, wordId: 1, label: 'PRODUCT_NAME' },
          ]);
        },
      }),
    );
    const analysis = await analyzerFor().analyze(inputOf(coffee));
    expect(labelKeys(analysis.proposals)).toEqual(labelKeys(coffee.groundTruth));
    expect(analysis.dropped).toEqual({
      unknown_word: 2 + LINE_TOTAL_LINES.length,
      invalid_id: 1,
      unknown_label: 1,
      not_an_amount: 1,
      label_not_allowed: 1,
    });
    expect(telemetry.metricTotal('LlmProposalsDropped')).toBe(6 + LINE_TOTAL_LINES.length);
  });

  it('keeps a metadata correction the receipt prints and drops one it does not', async () => {
    server.script(
      sampleScript(coffee, {
        [METADATA_CHECK]: () => ({
          json: {
            matches: false,
            corrections: [
              { field: 'phoneNumber', value: '(206) 555-0187' },
              { field: 'merchantName', value: 'Totally Different Cafe' },
            ],
            reason: 'phone differs',
          },
        }),
      }),
    );
    const analysis = await analyzerFor().analyze(inputOf(coffee));
    expect(analysis.metadata).toMatchObject({
      matches: false,
      corrections: { phoneNumber: '(206) 555-0187' },
    });
    expect(analysis.dropped).toEqual({ value_not_on_receipt: 1 });
  });

  it('retries 429 and 500 then succeeds, counting the retries', async () => {
    const failures: Record<string, number> = {};
    server.script(
      sampleScript(coffee, {
        [METADATA_CHECK]: () => {
          failures[METADATA_CHECK] = (failures[METADATA_CHECK] ?? 0) + 1;
          if (failures[METADATA_CHECK] === 1) return { status: 429, error: 'rate limited' };
          if (failures[METADATA_CHECK] === 2) return { status: 500, error: 'runner crashed' };
          return { json: { matches: true, corrections: [] } };
        },
      }),
    );
    const analysis = await analyzerFor().analyze(inputOf(coffee));
    expect(analysis.metadata?.matches).toBe(true);
    expect(telemetry.metricTotal('LlmRetries')).toBe(2);
    expect(telemetry.metricTotal('LlmCalls')).toBe(10);
  });

  it('retries a step that times out, and completes', async () => {
    let slow = true;
    server.script(
      sampleScript(coffee, {
        [CONTEXT_STEP.name]: () => {
          // Far past the per-call timeout, which is far past what a step takes on a loaded machine.
          const reply = labelsReply(truth.context, slow ? 600_000 : undefined);
          slow = false;
          return reply;
        },
      }),
    );
    const analysis = await analyzerFor({ timeoutMs: 5_000 }).analyze(inputOf(coffee));
    expect(labelKeys(analysis.proposals)).toEqual(labelKeys(coffee.groundTruth));
    expect(telemetry.metricTotal('LlmRetries')).toBe(1);
  });

  it('settles by the deadline with what the steps that answered in time proposed', async () => {
    // The slow step answers long after the test's own timeout: that the analysis settles at all shows it did not
    // wait for that answer.
    server.script(sampleScript(coffee, { [CONTEXT_STEP.name]: () => labelsReply(truth.context, 600_000) }));
    const analysis = await analyzerFor().analyze(inputOf(coffee), { deadlineAt: Date.now() + 2_000 });
    const contextLabels = new Set<string>(CONTEXT_STEP.labels);
    expect(labelKeys(analysis.proposals)).toEqual(
      labelKeys(coffee.groundTruth.filter((label) => !contextLabels.has(label.label))),
    );
    expect(analysis.steps.find((step) => step.step === CONTEXT_STEP.name)?.error).toMatch(/deadline/);
  });

  it('ends a slow step at the end of its analysis budget when the caller sets no deadline, or a later one', async () => {
    // The slow step would otherwise fail by the per-call timeout (2 s here), with another error.
    server.script(sampleScript(coffee, { [CONTEXT_STEP.name]: () => labelsReply(truth.context, 10_000) }));
    const analyzer = analyzerFor({}, undefined, 1_000);
    for (const options of [{}, { deadlineAt: Date.now() + 60_000 }]) {
      // Whether the fast steps made it in time depends on the machine; the slow one cannot have.
      const steps = await analyzer.analyze(inputOf(coffee), options).then(
        (analysis) => analysis.steps,
        (error: unknown) => {
          if (error instanceof LlmAnalysisError) return error.steps;
          throw error;
        },
      );
      expect(steps.find((step) => step.step === CONTEXT_STEP.name)?.error).toMatch(/deadline/);
    }
  });

  it('throws when every step fails, so the fallback analyzer applies', async () => {
    server.script(() => ({ status: 500, error: 'no GPU' }));
    const analyzer = analyzerFor({ maxRetries: 1 });
    const error = await analyzer.analyze(inputOf(coffee)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LlmAnalysisError);
    expect((error as LlmAnalysisError).steps.map((s) => s.step).sort()).toEqual(
      [AMOUNTS_STEP.name, CONTEXT_STEP.name, METADATA_CHECK].sort(),
    );
    expect(String(error)).not.toContain(TEST_KEY);

    const fallback = new FallbackReceiptAnalyzer(analyzer, new OfflineReceiptAnalyzer(), telemetry);
    const analysis = await fallback.analyze(inputOf(coffee));
    expect(analysis.analyzer).toBe('OFFLINE_ANALYZER');
    expect(telemetry.metricTotal('AnalyzerFallbacks')).toBe(1);
  });

  it('throws by the deadline when no step answers in time', async () => {
    // Replies are held far past the test's timeout: an analysis that ends at all stopped waiting for them.
    server.script(() => ({ json: { labels: [] }, delayMs: 600_000 }));
    await expect(
      analyzerFor().analyze(inputOf(coffee), { deadlineAt: Date.now() + 300 }),
    ).rejects.toBeInstanceOf(LlmAnalysisError);
  });

  it("aborts promptly with the caller's reason", async () => {
    // Replies are held far past the test's timeout: an analysis that ends at all stopped waiting for them.
    server.script(() => ({ json: { labels: [] }, delayMs: 600_000 }));
    const controller = new AbortController();
    const reason = new Error('invocation ending');
    setTimeout(() => controller.abort(reason), 100);
    await expect(analyzerFor().analyze(inputOf(coffee), { signal: controller.signal })).rejects.toBe(reason);
  });

  it('runs the graph with the callbacks, tagged with the receipt, and no configuration in any traced state', async () => {
    server.script(sampleScript(coffee));
    const runs: { name: string; inputs: unknown; tags?: string[]; metadata?: Record<string, unknown> }[] = [];
    const outputs: unknown[] = [];
    const recorder = {
      handleChainStart(
        _chain: Serialized,
        inputs: unknown,
        _runId: string,
        _parentRunId?: string,
        tags?: string[],
        metadata?: Record<string, unknown>,
        _runType?: string,
        runName?: string,
      ) {
        runs.push({ name: runName ?? '', inputs, ...(tags && { tags }), ...(metadata && { metadata }) });
      },
      handleChainEnd(chainOutputs: unknown) {
        outputs.push(chainOutputs);
      },
    };
    const analyzer = analyzerFor({}, [recorder]);
    const analysis = await analyzer.analyze(inputOf(coffee));
    const root = runs.find((run) => run.name === 'receipt_analysis');
    expect(root?.tags).toEqual(
      expect.arrayContaining([`image:${coffee.imageId}`, `receipt:${coffee.receiptId}`]),
    );
    expect(root?.metadata).toMatchObject({ image_id: coffee.imageId, receipt_id: coffee.receiptId });
    expect(runs.map((run) => run.name)).toEqual(
      expect.arrayContaining([
        'classify_amounts',
        'classify_context',
        'check_metadata',
        'label_line_item',
        'combine',
      ]),
    );
    const traced = JSON.stringify([runs, outputs, analysis]);
    for (const secret of [TEST_KEY, server.url, TEST_MODEL]) expect(traced).not.toContain(secret);
  });

  it('gives each receipt its own callbacks when they are made per receipt', async () => {
    server.script(sampleScript(coffee));
    const seen: string[] = [];
    const { chat } = loopbackChat(server);
    const analyzer = new LangGraphReceiptAnalyzer({
      chat,
      callbacks: (receipt) => [
        {
          handleChainStart: (
            _c: Serialized,
            _i: unknown,
            _r: string,
            _p?: string,
            _t?: string[],
            _m?: unknown,
            _rt?: string,
            name?: string,
          ) => {
            if (name === 'receipt_analysis') seen.push(`${receipt.imageId}#${receipt.receiptId}`);
          },
        },
      ],
    });
    await analyzer.analyze(inputOf(coffee));
    expect(seen).toEqual([`${coffee.imageId}#${coffee.receiptId}`]);
  });
});
