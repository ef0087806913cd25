import { VendorError } from '../../activities/errors';

/** The VendorError a provider call rejects with (fails the test if it resolves or throws anything else). */
export async function vendorError(promise: Promise<unknown>): Promise<VendorError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(VendorError);
  return err as VendorError;
}
