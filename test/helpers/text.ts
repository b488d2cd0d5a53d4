/**
 * Output that crosses a pipe read at an awkward place: 65,535 ASCII bytes and then multi-byte characters,
 * so the first read of 64 KiB ends inside one of them. Decoding each read on its own gives U+FFFD there.
 */
export const AWKWARD_TEXT = `${'a'.repeat(65535)}${'€'.repeat(4)}ü✓\n`;

/** A shell command that prints AWKWARD_TEXT byte for byte (printf with octal escapes, no locale needed). */
export const PRINT_AWKWARD = `head -c 65535 /dev/zero | tr '\\000' a; printf '\\342\\202\\254\\342\\202\\254\\342\\202\\254\\342\\202\\254\\303\\274\\342\\234\\223\\n'`;
