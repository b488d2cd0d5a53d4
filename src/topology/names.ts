/**
 * The rules for the names a lab gives: its own, its nodes', their interfaces' and their namespaces'. Each
 * check returns undefined for a good name, or the problem and what to do about it.
 */
import { count as thousands, quote } from './bounded.js';

export interface NameProblem {
  message: string;
  hint: string;
}

/** Linux IFNAMSIZ is 16 bytes with the terminating NUL. */
export const IFNAME_MAX = 15;
/** NAME_MAX: a namespace is a file under /run/netns. */
export const NETNS_NAME_MAX = 255;
export const LAB_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$';
export const NODE_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]*$';

const utf8 = new TextEncoder();

/** UTF-8 bytes of a string; an ASCII string's are its characters (counted without encoding it). */
function byteLength(s: string): number {
  for (let k = 0; k < s.length; k++) if (s.charCodeAt(k) >= 0x80) return utf8.encode(s).length;
  return s.length;
}

/** A character as a learner can read it in a message: `" " (a space)`, `"\t" (a tab)`, `U+0007`. */
export function describeChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (ch === ' ') return '" " (a space)';
  if (ch === '\t') return '"\\t" (a tab)';
  if (ch === '\n') return '"\\n" (a line break)';
  if (ch === '\0') return 'a NUL character';
  if (code < 0x20 || code === 0x7f) return `the control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return `"${ch}"`;
}

/** Shows a name inside a message, escaping what would not print, and cut when long (bounded.ts; `withLength` as there). */
export function quoteName(name: string, withLength = true): string {
  return quote(name, withLength);
}

/** Whether a UTF-16 unit is a control character (C0 or DEL). */
const isControl = (c: number): boolean => c < 0x20 || c === 0x7f;

/** Whether a UTF-16 unit is white space as the regex class `\s` has it. */
export function isSpace(c: number): boolean {
  if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) return true;
  if (c < 0xa0) return false;
  return (
    c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}

function firstBad(name: string, allowed: RegExp): string | undefined {
  for (const ch of name) if (!allowed.test(ch)) return ch;
  return undefined;
}

/** Lab names: 1 to 63 of letters, digits, `_`, `.`, `-`, starting with a letter or digit. */
export function checkLabName(name: string): NameProblem | undefined {
  const rule = "use 1 to 63 letters, digits, '_', '.' or '-', starting with a letter or digit, for example my-lab";
  if (name === '') return { message: 'the lab name is empty', hint: rule };
  if (!/^[A-Za-z0-9]/.test(name)) return { message: `lab name ${quoteName(name)} starts with ${describeChar([...name][0] ?? '')}`, hint: rule };
  const bad = firstBad(name, /[A-Za-z0-9_.-]/);
  if (bad !== undefined) return { message: `lab name ${quoteName(name)} contains ${describeChar(bad)}`, hint: rule };
  if (name.length > 63) return { message: `lab name ${quoteName(name, false)} is ${thousands(name.length)} characters`, hint: 'a lab name has at most 63' };
  return undefined;
}

const NODE_NAME = new RegExp(NODE_NAME_PATTERN);

/** Node names: letters, digits, `_`, `.`, `-`, starting with a letter or digit. */
export function checkNodeName(name: string): NameProblem | undefined {
  if (NODE_NAME.test(name)) return undefined; // nearly every name: one test, not a regex per character
  const rule = "a node name is letters, digits, '_', '.' or '-', starting with a letter or digit, for example red or host-1";
  if (name === '') return { message: 'the node name is empty', hint: rule };
  if (!/^[A-Za-z0-9]/.test(name)) return { message: `node name ${quoteName(name)} starts with ${describeChar([...name][0] ?? '')}`, hint: rule };
  const bad = firstBad(name, /[A-Za-z0-9_.-]/);
  if (bad !== undefined) return { message: `node name ${quoteName(name)} contains ${describeChar(bad)}`, hint: rule };
  return undefined;
}

/**
 * Devices the kernel itself makes in every new namespace (when the tunnel module is loaded). A veth end
 * with one of these names would collide with it.
 */
const KERNEL_DEVICES: Record<string, string> = {
  lo: 'the loopback device every namespace has',
  sit0: 'made in every namespace by the sit module',
  tunl0: 'made in every namespace by the ipip module',
  gre0: 'made in every namespace by the ip_gre module',
  gretap0: 'made in every namespace by the ip_gre module',
  erspan0: 'made in every namespace by the ip_gre module',
  ip_vti0: 'made in every namespace by the ip_vti module',
  ip6_vti0: 'made in every namespace by the ip6_vti module',
  ip6tnl0: 'made in every namespace by the ip6_tunnel module',
  ip6gre0: 'made in every namespace by the ip6_gre module',
};

/**
 * Interface names, as the kernel's dev_valid_name() judges them (1 to 15 bytes; not `.` or `..`; no `/`,
 * `:` or white space), plus: no control characters, no `%` (the kernel would treat the name as a
 * template such as eth%d and pick another), and not a device every namespace has already (lo).
 */
export function checkInterfaceName(name: string): NameProblem | undefined {
  const shorten = 'Linux allows 15';
  if (name === '') return { message: 'the interface name is empty', hint: 'name it, for example eth0, or leave the name out to have one chosen' };
  const bytes = byteLength(name);
  if (bytes > IFNAME_MAX) {
    const count = bytes === name.length ? `${thousands(name.length)} characters` : `${thousands(bytes)} bytes in UTF-8`;
    return { message: `interface name ${quoteName(name, false)} is ${count}`, hint: shorten };
  }
  if (name === '.' || name === '..') return { message: `${quoteName(name)} cannot be an interface name`, hint: 'choose a name such as eth0' };
  // By UTF-16 unit, not `for...of` (cold JIT): every character refused here is one unit.
  for (let k = 0; k < name.length; k++) {
    const c = name.charCodeAt(k);
    const printable = c > 0x20 && c < 0x7f;
    if (printable ? c === 0x2f /* / */ || c === 0x3a /* : */ || c === 0x25 /* % */ : isSpace(c) || isControl(c)) {
      const ch = name.charAt(k);
      const why = ch === '%' ? 'the kernel reads a "%" as a template (eth%d) and picks another name; ' : '';
      return {
        message: `interface name ${quoteName(name)} contains ${describeChar(ch)}`,
        hint: `${why}Linux interface names have no "/", ":", spaces or control characters`,
      };
    }
  }
  const reserved = Object.hasOwn(KERNEL_DEVICES, name) ? KERNEL_DEVICES[name] : undefined;
  if (reserved !== undefined) return { message: `interface name ${quoteName(name)} is taken: it is ${reserved}`, hint: 'choose another name, such as eth0' };
  return undefined;
}

/**
 * Namespace names are file names under /run/netns (as `ip netns add` makes them): not empty, not `.` or
 * `..`, no `/` or NUL, at most 255 bytes. We also refuse control characters, which no shell user could type.
 */
export function checkNetnsName(name: string): NameProblem | undefined {
  if (name === '' || name === '.' || name === '..')
    return {
      message: `namespace name ${quoteName(name)} is not a file name`,
      hint: 'namespaces are files under /run/netns; change the prefix or the node name',
    };
  let ascii = true;
  for (let k = 0; k < name.length; k++) {
    const c = name.charCodeAt(k);
    if (c === 0x2f /* / */ || c < 0x20 || c === 0x7f) {
      return {
        message: `namespace name ${quoteName(name)} contains ${describeChar(name.charAt(k))}`,
        hint: 'namespaces are files under /run/netns, whose names have no "/" or control characters',
      };
    }
    if (c >= 0x80) ascii = false;
  }
  const bytes = ascii ? name.length : byteLength(name);
  if (bytes > NETNS_NAME_MAX)
    return {
      message: `namespace name ${quoteName(name, false)} is ${thousands(bytes)} bytes`,
      hint: `a file name under /run/netns has at most ${NETNS_NAME_MAX}; shorten the prefix or the node name`,
    };
  return undefined;
}
