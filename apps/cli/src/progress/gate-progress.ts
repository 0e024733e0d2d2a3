import type { MetricName, Telemetry, TelemetryEvent } from '@receipt-gate/core';
import { formatDuration } from '../cli/arguments.js';
import type { Output } from '../cli/io.js';

type GateProgressEvent = Extract<TelemetryEvent, { type: 'gate.progress' }>;
type GateReadFailedEvent = Extract<TelemetryEvent, { type: 'gate.read_failed' }>;

/** Starts a repeating callback and returns how to stop it (a timer by default; tests step it by hand). */
export type Repeat = (callback: () => void, everyMs: number) => () => void;

export interface GateProgressOptions {
  /** What is waited on, e.g. the receipt and run. */
  readonly label: string;
  readonly now: () => number;
  /** How often the terminal line is redrawn between reads (the elapsed time moves). */
  readonly redrawMs?: number;
  readonly repeat?: Repeat;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const CLEAR_LINE = '\r\x1b[2K';
const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';

const timerRepeat: Repeat = (callback, everyMs) => {
  const timer = setInterval(callback, everyMs);
  timer.unref();
  return () => clearInterval(timer);
};

/**
 * The progress of a wait on the gate. On a terminal, one line redrawn in place: a spinner, the two collections'
 * states, the time elapsed and the reads made so far. Elsewhere (a pipe, a file, CI logs), plain lines: one when
 * the states change and one per failed read, so a long wait reads as a few lines.
 */
export class GateProgress {
  readonly #out: Output;
  readonly #options: GateProgressOptions;
  readonly #startedAt: number;
  #lines = '?';
  #words = '?';
  #reads = 0;
  #frame = 0;
  #lastPlain = '';
  #stop: (() => void) | undefined;

  constructor(out: Output, options: GateProgressOptions) {
    this.#out = out;
    this.#options = options;
    this.#startedAt = options.now();
  }

  get live(): boolean {
    return this.#out.isTTY === true;
  }

  start(): void {
    if (!this.live) {
      this.#out.write(`waiting for ${this.#options.label}\n`);
      return;
    }
    this.#out.write(HIDE_CURSOR);
    this.#draw();
    this.#stop = (this.#options.repeat ?? timerRepeat)(() => this.#draw(), this.#options.redrawMs ?? 200);
  }

  progress(event: GateProgressEvent): void {
    this.#lines = event.linesState;
    this.#words = event.wordsState;
    this.#reads = event.polls;
    if (this.live) {
      this.#draw();
      return;
    }
    const states = `lines=${this.#lines} words=${this.#words}`;
    if (states === this.#lastPlain) return;
    this.#lastPlain = states;
    this.#out.write(`[${this.#elapsed()}] ${states} (${this.#readsText()})\n`);
  }

  readFailed(event: GateReadFailedEvent): void {
    this.#reads = event.polls;
    if (this.live) this.#draw();
    else this.#out.write(`[${this.#elapsed()}] read ${event.polls} failed, retrying: ${event.error}\n`);
  }

  /** Ends the display: the terminal line is cleared (or replaced by `summary`, when given). */
  finish(summary?: string): void {
    this.#stop?.();
    this.#stop = undefined;
    const line = summary === undefined ? '' : `${summary}\n`;
    if (this.live) this.#out.write(`${CLEAR_LINE}${line}${SHOW_CURSOR}`);
    else this.#out.write(line);
  }

  /** A telemetry that feeds this display with the gate's events. */
  telemetry(): Telemetry {
    return {
      event: (event: TelemetryEvent) => {
        if (event.type === 'gate.progress') this.progress(event);
        else if (event.type === 'gate.read_failed') this.readFailed(event);
      },
      metric: (_name: MetricName) => {},
    };
  }

  #elapsed(): string {
    return formatDuration(this.#options.now() - this.#startedAt);
  }

  #readsText(): string {
    return `${this.#reads} ${this.#reads === 1 ? 'read' : 'reads'}`;
  }

  #draw(): void {
    const spinner = SPINNER[this.#frame++ % SPINNER.length];
    const text = `${spinner} ${this.#options.label}  lines ${this.#lines}  words ${this.#words}  ${this.#elapsed()}  ${this.#readsText()}`;
    // Never wider than the terminal: a wrapped line could not be redrawn in place.
    // A terminal that reports no width (0) gets the usual 80.
    const width = Math.max(20, (this.#out.columns || 80) - 1);
    const chars = [...text];
    this.#out.write(`${CLEAR_LINE}${chars.length > width ? `${chars.slice(0, width - 1).join('')}…` : text}`);
  }
}
