import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { bundleDirs } from '../stack/synth.test-support.js';
import { addReceiptGateStack, createReceiptGateApp } from './receipt-gate-app.js';

const bundles = inject('functionBundles');
const outdir = mkdtempSync(join(tmpdir(), 'receipt-gate-nag-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const STREAM_ARN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/receipts/stream/2026-01-17T10:00:00.000';
const VARIANTS: [string, Record<string, string>][] = [
  ['a table of its own, inline mode', {}],
  ['a table of its own, event mode', { mode: 'event' }],
  [
    'the shared table and an existing embeddings location',
    {
      tableName: 'receipts',
      tableStreamArn: STREAM_ARN,
      embeddingsUri: 's3://shared-embeddings/receipt-gate',
    },
  ],
];

// Built, not synthesized: cdk-nag reads the construct tree (and synthesis would stop at the first finding).
const build = (context: Record<string, string>) => {
  const { app, settings } = createReceiptGateApp({ context, outdir: mkdtempSync(join(outdir, 'app-')) });
  return { app, stack: addReceiptGateStack(app, settings, bundleDirs(bundles)) };
};

function acknowledgements(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          // CDK records an acknowledgement under its validation namespace.
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

describe.each(VARIANTS)('cdk-nag (AwsSolutions) on %s', (_name, context) => {
  const { app } = build(context);

  it('finds nothing that is not acknowledged', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('acknowledges only the reviewed rules, each with its reason next to the resource', () => {
    const acknowledged = acknowledgements(app);
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const { id, reason } of acknowledged) {
      expect(id).toMatch(/^AwsSolutions-(S1|SQS3|IAM5\[Resource::[^*\]]*\/(?:[a-z]+\/)?\*\])$/);
      expect(reason.length).toBeGreaterThan(60);
    }
  });
});

describe('cdk-nag', () => {
  it('reports a wildcard permission nobody acknowledged (the check can fail)', () => {
    const { app, stack } = build({});
    stack.functions.upload?.role.addToPolicy(
      new PolicyStatement({ actions: ['dynamodb:*'], resources: ['*'] }),
    );
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.success).toBe(false);
    expect(report.violations.map((violation) => violation.ruleName)).toEqual(
      expect.arrayContaining(['AwsSolutions-IAM5[Action::dynamodb:*]', 'AwsSolutions-IAM5[Resource::*]']),
    );
  });
});
