/**
 * zod and `yaml`, loaded the first time they are needed, synchronously (the topology pipeline is
 * synchronous). A valid file needs neither: js-yaml reads it and the quick shape test (lab-fit.ts) passes
 * it, so `nslab up` does not load them: loading them is a large part of a cold start (docs/performance.md),
 * and they are loaded only to explain a problem. Their CommonJS builds are loaded through require, the
 * only way Node 20 loads a module synchronously from an ES module; every use goes through this file, so
 * one instance of each is ever loaded. The require is made when first needed, not as this module loads: a
 * startup snapshot (cli/snapshot.ts) keeps what modules did as they loaded, the package's place included.
 */
import { createRequire } from 'node:module';
import type * as ZodModule from 'zod';
import type * as YamlModule from 'yaml';

type Zod = typeof ZodModule;
type Yaml = typeof YamlModule;

let zodModule: Zod | undefined;
let yamlModule: Yaml | undefined;

export function zod(): Zod {
  return (zodModule ??= createRequire(import.meta.url)('zod') as Zod);
}

export function yaml(): Yaml {
  return (yamlModule ??= createRequire(import.meta.url)('yaml') as Yaml);
}
