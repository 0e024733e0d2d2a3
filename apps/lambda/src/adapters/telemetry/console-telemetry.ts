import { seedLogLine, type Telemetry, type TelemetryEvent } from '@receipt-gate/core';

/**
 * Human-readable telemetry for the demo: the seed's log lines, tagged with the receipt and the time since start.
 * Progress lines are shown only when a state changes, so a long wait reads as a few lines.
 */
export class ConsoleTelemetry implements Telemetry {
  readonly #startedAt: number;
  readonly #lastProgress = new Map<string, string>();

  constructor(
    private readonly write: (line: string) => void,
    private readonly now: () => number = Date.now,
    private readonly labelOf: (imageId: string, receiptId: number) => string = (imageId, receiptId) =>
      `${imageId.slice(0, 8)}/${receiptId}`,
  ) {
    this.#startedAt = now();
  }

  event(event: TelemetryEvent): void {
    const receipt = 'run' in event ? event.run : event.receipt;
    const who = receipt ? this.labelOf(receipt.imageId, receipt.receiptId) : 'stream';
    if (event.type === 'gate.progress') {
      const states = `${event.linesState}/${event.wordsState}`;
      if (this.#lastProgress.get(event.run.runId) === states) return;
      this.#lastProgress.set(event.run.runId, states);
    }
    const seconds = ((this.now() - this.#startedAt) / 1000).toFixed(1).padStart(6);
    this.write(`[${seconds}s] [HANDLER] [${who}] ${seedLogLine(event)}`);
  }

  // The demo reads its figures from the recorder; metrics have no console form.
  metric(): void {}
}
