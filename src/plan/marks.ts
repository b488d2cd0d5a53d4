/**
 * Ownership marks: what makes something nslab's, read from the kernel (containerlab's altnames, the
 * opposite of Mininet's name patterns). A namespace is a lab's when the alias of its `lo` says so; a link
 * is a lab's when its own alias says so. Teardown and clean delete only what carries the mark.
 */

/** The mark text: `nslab:<lab>:<lab id>`. The id tells two labs of the same name apart across time. */
export function markFor(lab: string, id: string): string {
  return `nslab:${lab}:${id}`;
}

/** Reads a mark back; undefined when the text is not an nslab mark. */
export function parseMark(alias: string | undefined): { lab: string; id: string } | undefined {
  if (alias === undefined || !alias.startsWith('nslab:')) return undefined;
  const rest = alias.slice('nslab:'.length);
  const cut = rest.lastIndexOf(':');
  if (cut <= 0) return undefined;
  return { lab: rest.slice(0, cut), id: rest.slice(cut + 1) };
}

/** Route protocol number nslab gives its routes, so it can tell them from the kernel's and others'. */
export const RTPROT_NSLAB = 77;
