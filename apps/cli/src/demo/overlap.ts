/** The most of the given intervals (start, end) under way at one instant; one ending as another starts is not. */
export function mostOverlapping(intervals: readonly (readonly [number, number])[]): number {
  const edges = intervals.flatMap(([start, end]) => [[start, 1] as const, [end, -1] as const]);
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let most = 0;
  for (const [, delta] of edges) {
    open += delta;
    most = Math.max(most, open);
  }
  return most;
}

/** When a run's compaction was under way: its first collection's start to its last one's finish (epoch ms). */
export function compactionInterval(run: {
  readonly linesStartedAt?: string;
  readonly wordsStartedAt?: string;
  readonly linesFinishedAt?: string;
  readonly wordsFinishedAt?: string;
}): [number, number] | undefined {
  const started = Math.min(Date.parse(run.linesStartedAt ?? ''), Date.parse(run.wordsStartedAt ?? ''));
  const finished = Math.max(Date.parse(run.linesFinishedAt ?? ''), Date.parse(run.wordsFinishedAt ?? ''));
  return Number.isNaN(started) || Number.isNaN(finished) ? undefined : [started, finished];
}
