import { withLazyGlobalCrypto, withoutGlobalRequest } from '../src/startup/lazy-web-globals';

const descriptor = (name: string) => Object.getOwnPropertyDescriptor(globalThis, name);
/** The global as it was: the same lazy accessor, or (once Node's accessor was read) the
 * same value. Jest wraps the setter of a global redefined in a test, to clean it up
 * afterwards, so a setter cannot be compared. */
const expectDescriptorBack = (name: string, before: PropertyDescriptor | undefined) => {
  const after = descriptor(name);
  expect(after?.get).toBe(before?.get);
  expect(after?.value).toBe(before?.value);
  expect(after?.get ?? after?.value).toBeDefined();
  expect(after?.configurable).toBe(before?.configurable);
  expect(after?.enumerable).toBe(before?.enumerable);
};

describe('withoutGlobalRequest', () => {
  it('hides Request during the call only, and puts back the same accessor', () => {
    const before = descriptor('Request');
    expect(withoutGlobalRequest(() => globalThis.Request)).toBeUndefined();
    expectDescriptorBack('Request', before);
    expect(typeof globalThis.Request).toBe('function');
  });

  it('puts it back when the call throws', () => {
    const before = descriptor('Request');
    expect(() => withoutGlobalRequest(() => {
      throw new Error('boom');
    })).toThrow('boom');
    expectDescriptorBack('Request', before);
  });
});

describe('withLazyGlobalCrypto', () => {
  it('gives a stand-in that works as the real crypto, and puts back the same accessor', async () => {
    const before = descriptor('crypto');
    const standIn = withLazyGlobalCrypto(() => globalThis.crypto);
    expectDescriptorBack('crypto', before);
    expect(standIn).not.toBe(globalThis.crypto);
    expect(standIn.randomUUID()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const bytes = standIn.getRandomValues(new Uint8Array(64));
    expect(bytes.some((b) => b !== 0)).toBe(true);
    expect(standIn.subtle).toBe(globalThis.crypto.subtle);
    const digest = await standIn.subtle.digest('SHA-256', new TextEncoder().encode('abc'));
    expect(Buffer.from(digest).toString('hex')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect('subtle' in standIn).toBe(true);
  });

  it('puts it back when the call throws', () => {
    const before = descriptor('crypto');
    expect(() => withLazyGlobalCrypto(() => {
      throw new Error('boom');
    })).toThrow('boom');
    expectDescriptorBack('crypto', before);
  });
});
