import { configFromEnv } from '../config/app-config.js';
import { createContainer } from '../container/create-container.js';
import { TOKENS } from '../container/tokens.js';

// Built once per execution environment, at init, and reused by every invocation it serves.
const container = createContainer(configFromEnv(process.env));

/** The dispatcher Lambda function's handler: the table's one stream reader (compactor and validation hand-off). */
export const handler = container.get(TOKENS.DispatcherHandler);
