import type { LambdaFunctionName } from '@receipt-gate/lambda/deployment';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ReceiptGateStack } from '../stack/receipt-gate-stack.js';
import { type ReceiptGateSettings, settingsFromContext } from '../stack/settings.js';

/** The stack's name, and so the template's: `cdk.out/ReceiptGate.template.json`. */
export const STACK_NAME = 'ReceiptGate';

export interface ReceiptGateAppOptions {
  readonly context?: Readonly<Record<string, unknown>>;
  /** Where the cloud assembly goes; default: the CDK CLI's choice, or a temporary folder. */
  readonly outdir?: string;
}

/**
 * The CDK app, with its settings read (and refused, if bad, before anything is built) from the context. cdk-nag's
 * AwsSolutions rules check it at synthesis: any finding not acknowledged, with its reason, next to the resource
 * stops the synthesis. `synth`, `cdk deploy` and the tests all build it here.
 */
export function createReceiptGateApp(options: ReceiptGateAppOptions = {}): {
  app: App;
  settings: ReceiptGateSettings;
} {
  const app = new App({
    ...(options.context && { context: { ...options.context } }),
    ...(options.outdir && { outdir: options.outdir }),
  });
  const settings = settingsFromContext((key) => app.node.tryGetContext(key));
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, settings };
}

/** Adds the stack, deploying the given function artifacts (see `buildFunctionBundles`). */
export function addReceiptGateStack(
  app: App,
  settings: ReceiptGateSettings,
  bundles: Readonly<Record<LambdaFunctionName, string>>,
): ReceiptGateStack {
  return new ReceiptGateStack(app, STACK_NAME, {
    description: "receipt-gate: labels written only after their receipt's embeddings are compacted",
    settings,
    bundles,
  });
}
