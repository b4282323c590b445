/**
 * Loads dist/vendor/grpc.cjs, the bundle of gRPC and the SDK's files we use (scripts/build.mjs
 * routes src/cloud/sdk.ts's and lockbox.ts's package imports here; unbundled, under tsx, this
 * module is never reached). Every package in it is a lazy getter, so one that is not used (Lockbox)
 * is never initialised; Node's compile cache (turned on by the bin) covers it like any module.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The bundle's exports: one lazy getter per package subpath (see scripts/build.mjs). */
export type VendorModules = Readonly<Record<string, unknown>>;

let loaded: VendorModules | undefined;

/** The vendor bundle's exports, loaded once. */
export function vendorModules(): VendorModules {
  // This module sits in dist/chunks/ once bundled; dist/vendor/ is its sibling.
  const file = fileURLToPath(new URL('../vendor/grpc.cjs', import.meta.url));
  loaded ??= createRequire(file)(file) as VendorModules;
  return loaded;
}
