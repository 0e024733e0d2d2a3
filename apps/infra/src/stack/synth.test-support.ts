import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { inject } from 'vitest';
import { addReceiptGateStack, createReceiptGateApp } from '../app/receipt-gate-app.js';
import type { ReceiptGateStack } from './receipt-gate-stack.js';

/** The test run's function artifacts, as the stack takes them. */
export function bundleDirs(bundles: ReturnType<typeof inject<'functionBundles'>>) {
  return {
    upload: bundles.upload.dir,
    dispatcher: bundles.dispatcher.dir,
    validation: bundles.validation.dir,
  };
}

export interface Synthesized {
  readonly stack: ReceiptGateStack;
  readonly template: Template;
  /** Removes the cloud assembly (its copies of the bundles). */
  readonly cleanup: () => void;
}

/**
 * Synthesizes the app as `synth` does — the test run's bundles, the given context, cdk-nag checking at synthesis
 * (any unacknowledged finding throws here) — once per test file.
 */
export function synthesize(context: Record<string, unknown> = {}): Synthesized {
  const bundles = inject('functionBundles');
  const outdir = mkdtempSync(join(tmpdir(), 'receipt-gate-cdk-'));
  const { app, settings } = createReceiptGateApp({ context, outdir });
  const stack = addReceiptGateStack(app, settings, bundleDirs(bundles));
  return {
    stack,
    template: Template.fromStack(stack),
    cleanup: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

type Resources = Record<string, { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] }>;

/** The logical id of the one resource of a type whose id starts with `prefix` (the construct's path). */
export function logicalId(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1)
    throw new Error(`expected one ${type} under ${prefix}, found ${ids.join(', ') || 'none'}`);
  return ids[0] as string;
}

export interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

/** Every statement of every policy attached to the role of the function under `prefix` (e.g. `Upload`). */
export function roleStatements(template: Template, prefix: string): Statement[] {
  const role = logicalId(template, 'AWS::IAM::Role', `${prefix}Role`);
  const policies = Object.values(template.findResources('AWS::IAM::Policy') as Resources).filter((policy) =>
    (policy.Properties.Roles as unknown[]).some(
      (ref) => JSON.stringify(ref) === JSON.stringify({ Ref: role }),
    ),
  );
  return policies.flatMap(
    (policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );
}

export const actionsOf = (statement: Statement) =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

/** The actions a role may perform on the resource (as rendered in the template). */
export function actionsOn(statements: readonly Statement[], resource: unknown): string[] {
  return statements
    .filter((statement) => JSON.stringify(statement.Resource) === JSON.stringify(resource))
    .flatMap(actionsOf)
    .sort();
}

/** All actions of a role, by service prefix. */
export function actionsOfService(statements: readonly Statement[], service: string): string[] {
  return [
    ...new Set(statements.flatMap(actionsOf).filter((action) => action.startsWith(`${service}:`))),
  ].sort();
}
