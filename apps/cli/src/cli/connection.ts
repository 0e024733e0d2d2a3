import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { Telemetry } from '@receipt-gate/core';
import {
  type AppConfig,
  ConfigError,
  ConsoleTelemetry,
  configFromEnv,
  configuredRedactor,
  createContainer,
  createDeltaStore,
  DynamoCompactionRunQueries,
  parseUrlSetting,
} from '@receipt-gate/lambda';
import { LOCAL_CREDENTIALS, LOCAL_REGION, LOCAL_S3_CREDENTIALS } from '@receipt-gate/local-runtime';
import type { Container } from 'inversify';
import { CliError, UsageError } from './cli-error.js';
import type { CliIo } from './io.js';

/** The options every command that reads the table takes. */
export interface ConnectionOptions {
  readonly table?: string;
  readonly endpoint?: string;
  readonly region?: string;
}

export interface ConnectNeeds {
  /** The command writes or reads embedding deltas: DELTAS_BUCKET is required. */
  readonly deltas?: boolean;
}

/** The table, reached through the adapters the functions use, configured as they are (environment variables). */
export interface Connection {
  readonly config: AppConfig;
  readonly tableName: string;
  readonly client: DynamoDBClient;
  readonly container: Container;
  readonly queries: DynamoCompactionRunQueries;
  /** Where the table is, for messages: its endpoint's host, or its region. */
  readonly where: string;
  streamsClient(): DynamoDBStreamsClient;
  close(): void;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

/** A DynamoDB Local (or local S3 server) on this machine: it takes any credentials, so fixed ones are used. */
export const isLoopback = (url: string | undefined) =>
  url !== undefined && LOOPBACK.test(new URL(url).hostname);

/**
 * Connects to the table named by `--table` or TABLE_NAME, at `--endpoint` or DYNAMODB_ENDPOINT (DynamoDB Local),
 * or on AWS with the SDK's usual credentials and region. The rest of the configuration is read from the
 * environment as the functions read it, and checked the same way. The table must exist.
 */
export async function connect(
  options: ConnectionOptions,
  io: CliIo,
  needs: ConnectNeeds = {},
): Promise<Connection> {
  const tableName = options.table ?? io.env.TABLE_NAME;
  if (!tableName) throw new UsageError('no table: pass --table NAME or set TABLE_NAME');
  const endpoint = options.endpoint ?? (io.env.DYNAMODB_ENDPOINT || undefined);
  if (options.endpoint !== undefined) {
    // Only the option is checked here; the variable is checked with the rest of the configuration.
    const setting = parseUrlSetting('--endpoint', options.endpoint, {
      schemes: ['http:', 'https:'],
      example: 'http://127.0.0.1:8000',
    });
    if (setting.problem) throw new UsageError(setting.problem);
  }
  const local = isLoopback(endpoint);
  const region = options.region ?? io.env.AWS_REGION ?? (local ? LOCAL_REGION : undefined);
  let config: AppConfig;
  try {
    config = configFromEnv(
      {
        ...io.env,
        TABLE_NAME: tableName,
        DYNAMODB_ENDPOINT: endpoint,
        ...(region && { AWS_REGION: region }),
      },
      { requireDeltasBucket: needs.deltas ?? false },
    );
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  const clientConfig = {
    ...(region && { region }),
    ...(endpoint && { endpoint }),
    ...(local && { credentials: LOCAL_CREDENTIALS }),
  };
  const client = new DynamoDBClient(clientConfig);
  const streams: DynamoDBStreamsClient[] = [];
  const where = endpoint ? `the DynamoDB at ${new URL(endpoint).host}` : 'DynamoDB';
  try {
    // The region the SDK settled on (option, AWS_REGION or the profile's), for the S3 client and for messages.
    const resolvedRegion = await client.config.region();
    config = { ...config, region: resolvedRegion };
    await describeTable(client, tableName, endpoint ? where : `DynamoDB in ${resolvedRegion}`);
  } catch (error) {
    client.destroy();
    throw error;
  }
  const redact = configuredRedactor(config.analyzer);
  const telemetry: Telemetry = new ConsoleTelemetry((line) => io.stderr.write(`${redact(line)}\n`));
  const s3Local = isLoopback(config.embeddings.s3Endpoint);
  const deltas = needs.deltas
    ? createDeltaStore(config, s3Local ? LOCAL_S3_CREDENTIALS : undefined)
    : undefined;
  const container = createContainer(config, {
    dynamoClient: client,
    telemetry,
    ...(deltas && { deltas }),
  });
  return {
    config,
    tableName,
    client,
    container,
    queries: new DynamoCompactionRunQueries({ client, tableName }),
    where: endpoint ? where : `DynamoDB in ${config.region}`,
    streamsClient: () => {
      const created = new DynamoDBStreamsClient(clientConfig);
      streams.push(created);
      return created;
    },
    close: () => {
      client.destroy();
      deltas?.close();
      for (const created of streams) created.destroy();
    },
  };
}

async function describeTable(client: DynamoDBClient, tableName: string, where: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') {
      throw new CliError(`table "${tableName}" does not exist in ${where}`);
    }
    throw error;
  }
}

const REFUSED_CREDENTIALS = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
]);

/**
 * The one-line explanation of a failure reaching AWS. No credential value is ever quoted: the SDK's own messages
 * about credentials are replaced, not passed on.
 */
export function explainAwsError(error: unknown): CliError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, message, code, cause } = error as {
    name?: string;
    message?: string;
    code?: string;
    cause?: { code?: string };
  };
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message ?? '')) {
    return new CliError(
      'no AWS credentials found: set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), sign in with ' +
        '`aws sso login`, or point --endpoint at a DynamoDB Local',
    );
  }
  if (/Region is missing/i.test(message ?? '')) {
    return new UsageError('no AWS region: pass --region or set AWS_REGION (or use a profile that has one)');
  }
  if (name && REFUSED_CREDENTIALS.has(name)) {
    return new CliError(`AWS refused the credentials (${name}): check AWS_PROFILE or the access key in use`);
  }
  if (name === 'AccessDeniedException') return new CliError(`access denied by AWS: ${message}`);
  if (code === 'ECONNREFUSED' || cause?.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(message ?? '')) {
    return new CliError('connection refused: is the DynamoDB (or S3) endpoint running?');
  }
  return undefined;
}
