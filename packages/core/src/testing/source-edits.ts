/** One exact text replacement in a source file: a hand-made mutant of the real code is a few of them. */
export interface SourceEdit {
  /** The text to replace: it must occur exactly once in the file. */
  readonly find: string;
  /** What takes its place, literally (no `$` patterns). */
  readonly replace: string;
}

/**
 * `source` with every edit applied; throws when an edit's text is not found exactly once, so a mutant whose code
 * has changed fails loudly instead of quietly testing the original.
 */
export function applyEdits(file: string, source: string, edits: readonly SourceEdit[]): string {
  return edits.reduce((text, { find, replace }) => {
    const count = text.split(find).length - 1;
    if (count !== 1) {
      throw new Error(
        `mutant of ${file}: expected ${JSON.stringify(find)} exactly once, found it ${count} times`,
      );
    }
    return text.replace(find, () => replace);
  }, source);
}
