import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../../../..');

/** The Markdown files under `dir` (relative to the repository), recursively. */
function markdownUnder(dir: string): string[] {
  return readdirSync(resolve(repo, dir), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(dir, name));
}

/** The documents of the repository: its README, docs/ and the README of each package. */
const DOCS = [
  'README.md',
  ...markdownUnder('docs'),
  ...['apps', 'packages'].flatMap((group) =>
    readdirSync(resolve(repo, group))
      .map((name) => join(group, name, 'README.md'))
      .filter((path) => existsSync(resolve(repo, path))),
  ),
].sort();

/** Those that describe the code by its paths (the benchmark reports are generated, and left out). */
const CODE_DOCS = DOCS.filter((doc) => !doc.startsWith(join('docs', 'benchmarks')));

/** The text outside fenced code blocks, with blank lines in their place. */
function prose(markdown: string): string {
  let fenced = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (/^ {0,3}(```|~~~)/.test(line)) {
        fenced = !fenced;
        return '';
      }
      return fenced ? '' : line;
    })
    .join('\n');
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens; repeats get `-1`, `-2`… */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading = ''] of prose(markdown).matchAll(/^#{1,6} +(.+?) *#* *$/gm)) {
    const slug = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Every link target of a document: inline links and images, reference definitions, autolinks, HTML, bare URLs. */
function linksOf(markdown: string): string[] {
  const text = prose(markdown).replace(/`[^`\n]*`/g, '');
  const patterns = [
    /\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g,
    /^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/gm,
    /<([a-z][a-z0-9+.-]*:[^>\s]*)>/gi,
    /\b(?:href|src)\s*=\s*["']([^"']*)["']/gi,
    /(?<![(<"'])\b((?:https?:\/\/|www\.)[^\s)>\]]+)/gi,
  ];
  // A reference definition's URL is also a bare URL: each target once.
  return [
    ...new Set(patterns.flatMap((pattern) => [...text.matchAll(pattern)].map((match) => match[1] ?? ''))),
  ];
}

/** What is wrong with each link of `doc` (a path relative to the repository): outside it, or pointing at nothing. */
function brokenLinks(doc: string, markdown: string, read: (path: string) => string | undefined): string[] {
  const problems: string[] = [];
  for (const link of linksOf(markdown)) {
    const [path = '', anchor] = link.split('#', 2);
    if (/^[a-z][a-z0-9+.-]*:|^\/\/|^www\./i.test(link)) {
      problems.push(`${link}: outside the repository`);
      continue;
    }
    if (path.startsWith('/')) {
      problems.push(`${link}: an absolute path, outside the repository`);
      continue;
    }
    const target = path === '' ? doc : relative(repo, resolve(repo, dirname(doc), decodeURI(path)));
    if (target.startsWith('..')) {
      problems.push(`${link}: outside the repository`);
      continue;
    }
    const content = path === '' ? markdown : read(target);
    if (content === undefined) {
      problems.push(`${link}: no such file or directory`);
    } else if (anchor !== undefined && target.endsWith('.md') && !anchorsOf(content).has(anchor)) {
      problems.push(`${link}: no heading with that anchor`);
    }
  }
  return problems;
}

/** The repository paths a document names in code spans (`apps/…`, `packages/…`, `docs/…`, any `*.md`). */
function namedPaths(markdown: string): string[] {
  return [...prose(markdown).matchAll(/`([^`\s*]+)`/g)]
    .map((match) => match[1] ?? '')
    .filter((name) => /^(?:\.\.\/)*(?:apps|packages|docs|scripts)\/[\w.@/-]+$|^[\w./-]+\.md$/.test(name));
}

/** A file's content, '' for a directory, undefined when there is nothing at `path` (relative to the repository). */
function readRepo(path: string): string | undefined {
  const absolute = resolve(repo, path);
  if (!existsSync(absolute)) return undefined;
  try {
    return readFileSync(absolute, 'utf8');
  } catch {
    return '';
  }
}

describe('the documents of the repository', () => {
  it('are found: the README, docs/architecture.md, docs/operations.md and the benchmark reports', () => {
    expect(DOCS).toEqual(
      expect.arrayContaining([
        'README.md',
        join('docs', 'architecture.md'),
        join('docs', 'operations.md'),
        join('docs', 'benchmarks', 'gate.md'),
      ]),
    );
  });

  it.each(DOCS)('%s links only to files of the repository that exist, and to headings that exist', (doc) => {
    const markdown = readFileSync(resolve(repo, doc), 'utf8');
    expect(brokenLinks(doc, markdown, readRepo)).toEqual([]);
  });

  it.each(CODE_DOCS)('%s names only paths that exist in the repository', (doc) => {
    const markdown = readFileSync(resolve(repo, doc), 'utf8');
    const missing = namedPaths(markdown).filter(
      (path) =>
        readRepo(relative(repo, resolve(repo, dirname(doc), path))) === undefined &&
        readRepo(relative(repo, resolve(repo, path))) === undefined,
    );
    expect(missing).toEqual([]);
  });

  it('the README links docs/architecture.md', () => {
    expect(linksOf(readFileSync(resolve(repo, 'README.md'), 'utf8'))).toContain('docs/architecture.md');
  });

  it('catches each kind of bad link, and ignores what code shows (a checker that found nothing would pass)', () => {
    const files: Record<string, string> = {
      'docs/a.md': '# Title: one\n\n## Two\n',
      'docs/b.ts': '',
    };
    const doc = [
      '# Here',
      '[ok](a.md) [ok](a.md#title-one) [ok](b.ts) [ok](#here) ![ok](a.md)',
      '[web](https://example.com/x) <https://example.org> see www.example.net or http://example.io',
      '[abs](/etc/passwd) [up](../../outside.md) [gone](missing.md) [anchor](a.md#three) [self](#nowhere)',
      '[ref]: https://example.com/ref',
      '<a href="../../../x.md">x</a>',
      '`[code](https://example.com/code)` and `https://example.com/code`',
      '```sh',
      '[fenced](https://example.com/fenced) # Not a heading',
      '```',
    ].join('\n');
    const problems = brokenLinks('docs/doc.md', doc, (path) => files[path]);
    expect(problems).toEqual([
      'https://example.com/x: outside the repository',
      '/etc/passwd: an absolute path, outside the repository',
      '../../outside.md: outside the repository',
      'missing.md: no such file or directory',
      'a.md#three: no heading with that anchor',
      '#nowhere: no heading with that anchor',
      'https://example.com/ref: outside the repository',
      'https://example.org: outside the repository',
      '../../../x.md: outside the repository',
      'www.example.net: outside the repository',
      'http://example.io: outside the repository',
    ]);
    expect(namedPaths('`design.md` and `apps/lambda/bench/x.ts`, not `pnpm demo` or `*.test.ts`')).toEqual([
      'design.md',
      'apps/lambda/bench/x.ts',
    ]);
  });
});
