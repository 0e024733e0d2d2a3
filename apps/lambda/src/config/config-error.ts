/** The configuration (environment) is unusable; the message names every problem, never a secret's value. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
