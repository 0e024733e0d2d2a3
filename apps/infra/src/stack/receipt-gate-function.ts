import type { Duration } from 'aws-cdk-lib';
import { type PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENTRY_FILE } from '../bundling/function-bundles.js';

/**
 * The Lambda runtime: Node.js 24, supported until 2028 (Node.js 22's runtime is deprecated in April 2027). The
 * bundles target Node.js 22, the lowest version they support, and their smoke tests run on both.
 */
export const FUNCTION_RUNTIME = Runtime.NODEJS_24_X;

/** x86_64: native packages are copied from this machine's install (linux-x64), so the artifact matches it. */
export const FUNCTION_ARCHITECTURE = Architecture.X86_64;

export interface ReceiptGateFunctionProps {
  readonly description: string;
  /** The folder of the function's bundle (its `index.mjs`, chunks, maps and node_modules). */
  readonly bundleDir: string;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly environment: Readonly<Record<string, string>>;
  readonly logRetention: RetentionDays;
  /** Everything the function may do besides writing its own logs. */
  readonly statements: readonly PolicyStatement[];
}

/**
 * One function with its own role and log group. The role starts empty (no managed policy): it may write to its
 * log group and do what `statements` name, nothing else.
 */
export class ReceiptGateFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ReceiptGateFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description}: its own logs and the table, bucket and queue actions it uses`,
    });
    this.logGroup.grantWrite(this.role);
    for (const statement of props.statements) this.role.addToPolicy(statement);
    this.function = new LambdaFunction(this, 'Function', {
      description: props.description,
      runtime: FUNCTION_RUNTIME,
      architecture: FUNCTION_ARCHITECTURE,
      code: Code.fromAsset(props.bundleDir),
      handler: `${ENTRY_FILE.replace(/\.mjs$/, '')}.handler`,
      timeout: props.timeout,
      memorySize: props.memorySize,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        // Stack traces point at the TypeScript sources through the bundle's source maps.
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
    });
  }
}
