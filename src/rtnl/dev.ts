/**
 * How operations name an interface: by name (resolved inside the handle's own namespace, never in the
 * root namespace) or by an index the caller knows for that namespace (the engine assigns indexes when it
 * creates devices, so it can batch address and route requests behind the creation).
 */
export type DevRef = string | { index: number; name?: string };

export function devLabel(dev: DevRef): string {
  return typeof dev === 'string' ? dev : (dev.name ?? `#${dev.index}`);
}
