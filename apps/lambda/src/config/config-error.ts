/** The configuration (environment) is unusable; the message names every problem, never a secret's value. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    message: string,
    /** Each problem on its own, naming its variable: what a reader that gathers them from others collects. */
    readonly problems: readonly string[] = [message],
  ) {
    super(message);
  }
}
