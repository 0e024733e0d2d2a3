// Turns StrykerJS's JSON report (.reports/mutation/mutation.json) into docs/benchmarks/mutation.md: the score per
// folder, and every surviving mutant with the reason it is equivalent, from mutation-equivalents.json. A survivor
// without a reason is listed as not explained, and the script exits non-zero: kill it with a test, or explain it.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const core = join(import.meta.dirname, '..');
const root = join(core, '..', '..');
const report = JSON.parse(readFileSync(join(core, '.reports', 'mutation', 'mutation.json'), 'utf8'));
const equivalents = JSON.parse(readFileSync(join(core, 'mutation-equivalents.json'), 'utf8'));
const FOLDERS = ['gate', 'validation', 'compaction'];
const stryker = JSON.parse(
  readFileSync(join(core, 'node_modules', '@stryker-mutator', 'core', 'package.json'), 'utf8'),
).version;

/** The source text a mutant replaced. */
function originalText(source, { start, end }) {
  const lines = source.split('\n');
  if (start.line === end.line) return lines[start.line - 1].slice(start.column - 1, end.column - 1);
  const first = lines[start.line - 1].slice(start.column - 1);
  const middle = lines.slice(start.line, end.line - 1);
  const last = lines[end.line - 1].slice(0, end.column - 1);
  return [first, ...middle, last].join('\n');
}

const oneLine = (text) => text.replace(/\s+/g, ' ').trim();
const cell = (text) => oneLine(text).replaceAll('|', '\\|');
const code = (text) => {
  const flat = cell(text);
  return `\`${flat.length > 70 ? `${flat.slice(0, 67)}...` : flat}\``;
};

const stats = Object.fromEntries(
  FOLDERS.map((folder) => [
    folder,
    { total: 0, killed: 0, timeout: 0, survived: 0, noCoverage: 0, errors: 0 },
  ]),
);
const survivors = [];
for (const [path, file] of Object.entries(report.files)) {
  const file_ = relative(core, join(core, path)).replaceAll('\\', '/');
  const folder = FOLDERS.find((name) => file_.startsWith(`src/${name}/`));
  if (!folder) continue;
  for (const mutant of file.mutants) {
    const s = stats[folder];
    s.total++;
    if (mutant.status === 'Killed') s.killed++;
    else if (mutant.status === 'Timeout') s.timeout++;
    else if (mutant.status === 'Survived') s.survived++;
    else if (mutant.status === 'NoCoverage') s.noCoverage++;
    else s.errors++;
    if (mutant.status !== 'Survived' && mutant.status !== 'NoCoverage') continue;
    const original = originalText(file.source, mutant.location);
    const known = equivalents.find(
      (e) =>
        e.file === file_ &&
        e.mutator === mutant.mutatorName &&
        oneLine(e.original) === oneLine(original) &&
        oneLine(e.replacement) === oneLine(mutant.replacement ?? ''),
    );
    survivors.push({
      file: file_,
      line: mutant.location.start.line,
      mutant,
      original,
      reason: known?.reason,
    });
  }
}

const percent = (s) => {
  const valid = s.killed + s.timeout + s.survived + s.noCoverage;
  return valid === 0 ? 'n/a' : `${(((s.killed + s.timeout) / valid) * 100).toFixed(1)} %`;
};
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
const unexplained = survivors.filter((s) => s.reason === undefined);
survivors.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);

const doc = `# Mutation testing

\`pnpm mutate\` runs StrykerJS (${stryker}, with the vitest runner, configured in
[\`packages/core/stryker.config.mjs\`](../../packages/core/stryker.config.mjs)) on the gate, the validation use case
and the compaction logic of \`packages/core\`: each mutant is a small change of the production code (an operator,
a condition, a block emptied...), and core's test suite runs against it. A mutant the tests fail on is killed; one
they pass on survives. The suite runs with a fixed fast-check seed and 100 runs per property
([\`packages/core/vitest.mutation.config.ts\`](../../packages/core/vitest.mutation.config.ts)); the tests that
build mutants of their own from the source text, and the compile of the published types, are left out.

Commit ${commit}. Score = (killed + timed out) / (killed + timed out + survived + not covered).

| folder | mutants | killed | timed out | survived | not covered | not run (compile or runtime error) | score |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${FOLDERS.map((f) => {
  const s = stats[f];
  return `| \`src/${f}\` | ${s.total} | ${s.killed} | ${s.timeout} | ${s.survived} | ${s.noCoverage} | ${s.errors} | ${percent(s)} |`;
}).join('\n')}

## Survivors

${
  survivors.length === 0
    ? 'None.'
    : `Every mutant left alive is equivalent: no test can tell it from the original code, for the reason given. The
reasons live in [\`packages/core/mutation-equivalents.json\`](../../packages/core/mutation-equivalents.json).

| where | mutator | original | mutant | why it is equivalent |
| --- | --- | --- | --- | --- |
${survivors
  .map(
    (s) =>
      `| \`${s.file}:${s.line}\` | ${s.mutant.mutatorName} | ${code(s.original)} | ${code(s.mutant.replacement ?? '')} | ${s.reason === undefined ? '**not explained yet**' : cell(s.reason)} |`,
  )
  .join('\n')}`
}
`;
writeFileSync(join(root, 'docs', 'benchmarks', 'mutation.md'), doc);
for (const f of FOLDERS)
  console.log(
    `${f}: ${percent(stats[f])} (${stats[f].survived + stats[f].noCoverage} left of ${stats[f].total})`,
  );
if (unexplained.length > 0) {
  console.error(`${unexplained.length} surviving mutant(s) not explained in mutation-equivalents.json:`);
  for (const s of unexplained) {
    console.error(
      JSON.stringify({
        file: s.file,
        line: s.line,
        mutator: s.mutant.mutatorName,
        original: s.original,
        replacement: s.mutant.replacement,
        status: s.mutant.status,
      }),
    );
  }
  process.exitCode = 1;
}
