import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../../../..');
const TELEMETRY = resolve(repo, 'packages/core/src/ports/telemetry.ts');
const DOC = resolve(repo, 'docs/operations.md');

/** The string literals of a union type alias in a source file (`'A' | 'B'`), or of one property of its members. */
function literalsOf(source: ts.SourceFile, alias: string, property?: string): string[] {
  const declaration = source.statements.find(
    (statement): statement is ts.TypeAliasDeclaration =>
      ts.isTypeAliasDeclaration(statement) && statement.name.text === alias,
  );
  if (!declaration) throw new Error(`${alias} is not declared in ${source.fileName}`);
  const members = ts.isUnionTypeNode(declaration.type) ? declaration.type.types : [declaration.type];
  return members.flatMap((member) => {
    const literal = property
      ? ts.isTypeLiteralNode(member) &&
        member.members
          .filter(ts.isPropertySignature)
          .find((signature) => ts.isIdentifier(signature.name) && signature.name.text === property)?.type
      : member;
    return literal && ts.isLiteralTypeNode(literal) && ts.isStringLiteral(literal.literal)
      ? [literal.literal.text]
      : [];
  });
}

/** The backquoted names in the first column of the table under `heading`. */
function documented(doc: string, heading: string): string[] {
  const section = doc.split(/^## /m).find((part) => part.startsWith(`${heading}\n`)) ?? '';
  return [...section.matchAll(/^\| `([^`]+)` +\|/gm)].map((match) => match[1] ?? '');
}

const source = ts.createSourceFile(TELEMETRY, readFileSync(TELEMETRY, 'utf8'), ts.ScriptTarget.Latest);
const doc = readFileSync(DOC, 'utf8');

describe('docs/operations.md', () => {
  it('documents every metric the code can emit (MetricName), and none it cannot', () => {
    const metrics = literalsOf(source, 'MetricName');
    expect(metrics.length).toBeGreaterThan(10);
    expect(documented(doc, 'Metrics').sort()).toEqual([...metrics].sort());
  });

  it('documents every log event (TelemetryEvent), and none that does not exist', () => {
    const events = literalsOf(source, 'TelemetryEvent', 'type');
    expect(events.length).toBeGreaterThan(5);
    expect(documented(doc, 'Log events').sort()).toEqual([...events].sort());
  });

  it('has a runbook for a stuck run, a FAILED run, a growing on-failure queue and a rise in GateOutcomeTimedOut', () => {
    for (const heading of [
      '### A stuck run',
      '### A FAILED run',
      '### A growing on-failure queue',
      '### A rise in `GateOutcomeTimedOut`',
    ]) {
      expect(doc).toContain(heading);
    }
  });

  it('reads what the code declares (a union the reader did not understand would pass as empty)', () => {
    const probe = ts.createSourceFile(
      'probe.ts',
      "type MetricName = 'A' | 'B';\ntype TelemetryEvent = { readonly type: 'x.y'; n: number } | { readonly type: 'z' };",
      ts.ScriptTarget.Latest,
    );
    expect(literalsOf(probe, 'MetricName')).toEqual(['A', 'B']);
    expect(literalsOf(probe, 'TelemetryEvent', 'type')).toEqual(['x.y', 'z']);
    expect(
      documented(
        '## Metrics\n\n| metric | unit |\n| --- | --- |\n| `A` | Count |\n\n## Other\n| `B` | x |\n',
        'Metrics',
      ),
    ).toEqual(['A']);
  });
});
