/**
 * Link property values with units, as `tc` writes them: rates (`10mbit`, `1gbit`, `500kbit`; `bps`,
 * `kbps`, `mbps`, `gbps` are bytes per second), durations (`20ms`, `1s`, `250us`) and percentages (`1%`,
 * `0.5%`). Each parser returns the value in one fixed unit, or what is wrong and what to write instead.
 * Arithmetic is exact (decimal digits, not floating point), so `1.5mbit` is 1500000 bits per second.
 */
import type { AddressProblem, Parsed } from './address.js';
import { clip, quote } from './bounded.js';

const fail = (message: string, hint: string): { ok: false; problem: AddressProblem } => ({ ok: false, problem: { message, hint } });

/** Bits per second of each rate unit, tc's decimal (SI) units; the `*bps` units are bytes per second. */
const RATE_UNITS: Record<string, bigint> = {
  bit: 1n,
  kbit: 1_000n,
  mbit: 1_000_000n,
  gbit: 1_000_000_000n,
  tbit: 1_000_000_000_000n,
  bps: 8n,
  kbps: 8_000n,
  mbps: 8_000_000n,
  gbps: 8_000_000_000n,
  tbps: 8_000_000_000_000n,
};

/** The next smaller unit of each rate unit, for "write it in ..." hints. */
const SMALLER: Record<string, string> = { kbit: 'bit', mbit: 'kbit', gbit: 'mbit', tbit: 'gbit', kbps: 'bps', mbps: 'kbps', gbps: 'mbps', tbps: 'gbps' };

/** Microseconds of each duration unit, with tc's spellings. */
const TIME_UNITS: Record<string, bigint> = {
  us: 1n,
  usec: 1n,
  usecs: 1n,
  ms: 1_000n,
  msec: 1_000n,
  msecs: 1_000n,
  s: 1_000_000n,
  sec: 1_000_000n,
  secs: 1_000_000n,
};

/** The least rate nslab accepts: 1kbit (below it, a typo such as `10bit` for `10mbit` is likelier). */
export const RATE_MIN = 1_000;
/** The most: 1tbit, more than any veth pair moves. */
export const RATE_MAX = 1_000_000_000_000;
/** The longest delay or jitter: one minute. */
export const DELAY_MAX_MS = 60_000;

const RATE_RULE = 'write a number and a unit, for example 10mbit, 500kbit or 1gbit (bit, kbit, mbit, gbit, tbit; bps, kbps, mbps, gbps are bytes per second)';
const TIME_RULE = 'write a number and a unit, for example 20ms, 1s or 500us (us, ms, s)';

/** More than any maximum here, in any unit: what a number of more than 20 digits scales to. */
const HUGE = 10n ** 30n;

/** `1.5` times `unit`, exactly: the product, or undefined when it is not a whole number. */
function scale(number: string, unit: bigint): bigint | undefined {
  const [rawWhole = '', rawFraction = ''] = number.split('.');
  // Digits that change nothing are dropped, and a number of a million digits is not turned into a BigInt:
  // past 20 digits it is over every maximum, and no unit (at most 8 * 10^12) makes a whole number of a
  // fraction of more than 15 digits.
  const whole = rawWhole.replace(/^0+/, '');
  const fraction = rawFraction.replace(/0+$/, '');
  if (whole.length > 20) return HUGE;
  if (fraction.length > 15) return undefined;
  const digits = BigInt(whole + fraction) * unit;
  const divisor = 10n ** BigInt(fraction.length);
  return digits % divisor === 0n ? digits / divisor : undefined;
}

function split(text: string): { number: string; unit: string } | undefined {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z%]*)\s*$/.exec(text);
  if (m === null) return undefined;
  return { number: m[1] ?? '', unit: (m[2] ?? '').toLowerCase() };
}

/** `10mbit` -> 10000000 (bits per second). */
export function parseRate(text: string): Parsed<number> {
  const parts = split(text);
  if (parts === undefined) return fail(`rate ${quote(text)} is not a number with a unit`, RATE_RULE);
  const { number, unit } = parts;
  if (unit === '') return fail(`rate ${quote(text)} has no unit`, `${RATE_RULE}; ${clip(number)}mbit is ${clip(number)} million bits per second`);
  const per = RATE_UNITS[unit];
  if (per === undefined) {
    const ibi = /^([kmgt])i(bit|bps)$/.exec(unit);
    const hint = ibi !== null ? `nslab uses tc's decimal units: write ${clip(number)}${ibi[1] ?? ''}${ibi[2] ?? ''}` : RATE_RULE;
    return fail(`rate ${quote(text)} has the unknown unit ${quote(parts.unit)}`, hint);
  }
  const bits = scale(number, per);
  if (bits === undefined) {
    const smaller = SMALLER[unit];
    return fail(
      `rate ${quote(text)} is not a whole number of bits per second`,
      smaller !== undefined ? `round it, or write it in ${smaller}` : 'round it to a whole number',
    );
  }
  if (bits === 0n) return fail(`rate ${quote(text)} is zero`, 'a rate limit lets something through: write at least 1kbit, or leave rate out for no limit');
  if (bits < BigInt(RATE_MIN)) {
    const guess = unit === 'bit' ? `; did you mean ${clip(number)}mbit?` : '';
    return fail(`rate ${quote(text)} is below 1kbit`, `the least rate is 1kbit${guess}`);
  }
  if (bits > BigInt(RATE_MAX)) return fail(`rate ${quote(text)} is above 1tbit`, 'that is more than any veth pair moves: leave rate out for no limit');
  return { ok: true, value: Number(bits) };
}

/** `20ms` -> 20, `1s` -> 1000, `500us` -> 0.5 (milliseconds). `what` names the field in messages. */
export function parseDuration(text: string, what: string, max: { ms: number; text: string } = { ms: DELAY_MAX_MS, text: 'a minute' }): Parsed<number> {
  const parts = split(text);
  if (parts === undefined) return fail(`${what} ${quote(text)} is not a number with a unit`, TIME_RULE);
  const { number, unit } = parts;
  if (unit === '') return fail(`${what} ${quote(text)} has no unit`, `${TIME_RULE}; ${clip(number)}ms is ${clip(number)} milliseconds`);
  const per = TIME_UNITS[unit];
  if (per === undefined) {
    const hint =
      unit === 'm' || unit === 'min' ? `${TIME_RULE}; a minute is 60s` : unit === 'ns' ? `${TIME_RULE}; nslab counts in whole microseconds` : TIME_RULE;
    return fail(`${what} ${quote(text)} has the unknown unit ${quote(parts.unit)}`, hint);
  }
  const us = scale(number, per);
  if (us === undefined) return fail(`${what} ${quote(text)} is not a whole number of microseconds`, `round it, or write it in us, for example ${what}: 250us`);
  if (us > BigInt(max.ms) * 1000n) return fail(`${what} ${quote(text)} is over ${max.text}`, `the longest ${what} is ${max.ms / 1000}s`);
  return { ok: true, value: Number(us) / 1000 };
}

/** `1%` -> 1, `0.5%` -> 0.5 (percent). */
export function parseLoss(text: string): Parsed<number> {
  const parts = split(text);
  if (parts === undefined) return fail(`loss ${quote(text)} is not a percentage`, 'write a percentage, for example 1% or 0.5%');
  const { number, unit } = parts;
  if (unit !== '%') return fail(`loss ${quote(text)} is not a percentage`, `write it with "%", for example loss: ${clip(number)}%`);
  const value = Number(number);
  if (value > 100) return fail(`loss ${quote(text)} is over 100%`, 'a loss is 0% to 100% of the packets');
  return { ok: true, value };
}
