// Reads the committed OpenAPI document at build time and lists its operations as
// "METHOD /path" strings. The app uses the list to switch on screens whose endpoints other
// work adds later (see src/api/capabilities.ts): the SPA is embedded in the binary built from
// the same tree, so the document describes exactly the server that serves it.
import { readFileSync } from 'node:fs';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

export function apiOperations(specPath: string): string[] {
  const spec = JSON.parse(readFileSync(specPath, 'utf8')) as { paths?: Record<string, Record<string, unknown>> };
  const out: string[] = [];
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const method of METHODS) {
      if (item[method]) out.push(`${method.toUpperCase()} ${path}`);
    }
  }
  return out.sort();
}
