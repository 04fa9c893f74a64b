/**
 * The browser-safe entries stay browser-safe: following their relative imports, no file touches
 * Node built-ins, Buffer or process, and only the allowed packages are imported.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

/** Every file reachable from `entry` through relative imports, with the packages they import. */
function graph(entry: string): { files: Map<string, string>; packages: Set<string> } {
  const files = new Map<string, string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    const text = readFileSync(file, 'utf8');
    files.set(file, text);
    for (const [, spec] of text.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)) {
      if (spec?.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else if (spec) packages.add(spec);
    }
  };
  visit(resolve(SRC, entry));
  return { files, packages };
}

describe('browser-safe entries', () => {
  for (const [entry, allowed] of [
    ['index.ts', []],
    ['websocket.ts', []],
    ['mqtt.ts', ['mqtt']],
  ] as const) {
    it(`${entry} uses no Node built-ins and imports only ${JSON.stringify(allowed)}`, () => {
      const { files, packages } = graph(entry);
      expect(files.size).toBeGreaterThan(1);
      expect([...packages].sort()).toEqual([...allowed].sort());
      for (const [file, text] of files) {
        const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
        expect(code, file).not.toMatch(/\bBuffer\b|\bprocess\.|from 'node:/);
      }
    });
  }
});
