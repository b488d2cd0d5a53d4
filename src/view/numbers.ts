/** How pictures, the page and the CLI write counts and rates: short, with the units people read. Pure. */

/** 12, 1.2k, 3.4M. */
export function formatCount(n: number): string {
  if (n < 1000) return n < 10 && n % 1 !== 0 ? n.toFixed(1) : String(Math.round(n));
  if (n < 1e6) return `${(n / 1e3).toFixed(n < 1e4 ? 1 : 0)}k`;
  return `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)}M`;
}

/** 512 B, 1.5 kB, 2.0 MB (decimal, as tc and ip write them). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${Math.round(n)} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}

/** 800 bit, 1.2 kbit, 10.0 Mbit. */
export function formatBits(n: number): string {
  if (n < 1000) return `${Math.round(n)} bit`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kbit`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} Mbit`;
  return `${(n / 1e9).toFixed(2)} Gbit`;
}
