// Type-level spec: `tsc -p tsconfig.check.json` (run by `pnpm test`) must accept the calls below
// and reject the ones marked @ts-expect-error; vitest also runs them to show the valid ones work.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { rpc } from '../../src/index.js';
import { setup } from '../fixtures.js';

class Shop {
  @rpc({ mode: 'any' })
  buy(item: string, count: number): { item: string; total: number } {
    return { item, total: count * 3 };
  }

  @rpc({ mode: 'any', args: z.tuple([z.number()]) })
  tip(amount: number) {
    return amount;
  }
}

// A schema whose output does not match the method's parameters is a compile error.
class Mismatch {
  // @ts-expect-error the schema says string, the method takes a number
  @rpc({ args: z.tuple([z.string()]) })
  set(value: number) {
    return value;
  }
}
void Mismatch;

describe('typed call sites', () => {
  it('accepts correct calls, infers request results, and rejects wrong ones at compile time', async () => {
    const shops: Shop[] = [];
    const { net, sessions } = await setup(2, {
      setup: (s, i) => void (shops[i] = s.register('shop', new Shop())),
    });
    const client = sessions[1]!;

    client.rpc(shops[1]!, { to: 'host' }).buy('apple', 2);
    // @ts-expect-error wrong argument type
    expect(() => client.rpc(shops[1]!, { to: 'host' }).buy(42, 2)).not.toThrow();
    // @ts-expect-error missing argument
    client.rpc(shops[1]!, { to: 'host' }).buy('apple');
    // @ts-expect-error no such method
    expect(() => client.rpc(shops[1]!).sell('apple')).toThrow();

    const pending = client.request(shops[1]!, { to: 'host' }).buy('pear', 4);
    await net.run(100);
    const receipt = await pending;
    // The result type flows from the method's return type.
    const total: number = receipt.total;
    expect(total).toBe(12);
    // @ts-expect-error the result has no such field
    expect(receipt.discount).toBeUndefined();
  });
});
