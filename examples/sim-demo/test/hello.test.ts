import { expect, it } from 'vitest';
import { hello } from '../src/hello.js';

it("the README's example runs: everyone but Alice hears her, and the roll comes back", async () => {
  const { heard, roll, alice } = await hello();
  expect(heard).toEqual([[`${alice} says hello`], [], [`${alice} says hello`]]);
  expect(roll).toBeGreaterThanOrEqual(1);
  expect(roll).toBeLessThanOrEqual(20);
});
