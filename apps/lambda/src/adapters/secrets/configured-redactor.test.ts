import { describe, expect, it } from 'vitest';
import { analyzerConfigFromEnv } from '../../config/app-config.js';
import { configuredRedactor } from './configured-redactor.js';
import { REDACTED } from './text-redactor.js';

const LANGSMITH_KEY = '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';
const OLLAMA_KEY = 'ollama-sk-7d2e9b4a1c6f8e3d5b0a2c4e6f8a1b3d';

describe('configuredRedactor', () => {
  it('redacts both configured keys, the Ollama one through its config', () => {
    const redact = configuredRedactor(
      analyzerConfigFromEnv({
        OLLAMA_HOST: 'http://127.0.0.1:11434',
        OLLAMA_API_KEY: OLLAMA_KEY,
        LANGSMITH_TRACING: 'true',
        LANGSMITH_API_KEY: LANGSMITH_KEY,
      }),
    );
    expect(redact(`a ${LANGSMITH_KEY.slice(5, 20)} b ${Buffer.from(OLLAMA_KEY).toString('base64')} c`)).toBe(
      `a ${REDACTED} b ${REDACTED} c`,
    );
  });

  it('changes nothing when no key is configured', () => {
    const redact = configuredRedactor(analyzerConfigFromEnv({}));
    expect(redact(`a ${LANGSMITH_KEY}`)).toBe(`a ${LANGSMITH_KEY}`);
  });
});
