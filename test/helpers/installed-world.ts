/**
 * The world of the end-to-end files that run the installed package: the package packed and installed
 * (installed-package.ts), an emulator with the default fixture in this process, and a lived-in HOME
 * (lived-in-home.ts). Call at the top level of a test file: it registers the file's before/after
 * hooks and returns an object whose fields are set once `before` has run.
 */
import { after, before } from 'node:test';
import { defaultFixture, startEmulator, type DefaultIds, type Emulator, type EmulatorOptions } from '../emulator/index.js';
import { installedPackage, type InstalledPackage } from './installed-package.js';
import { livedInHome, type LivedInHome } from './lived-in-home.js';

export interface InstalledWorld {
  pkg: InstalledPackage;
  emu: Emulator;
  ids: DefaultIds;
  home: LivedInHome;
}

export function installedWorld(options: EmulatorOptions = {}): InstalledWorld {
  const world = {} as InstalledWorld;
  before(async () => {
    const { fixture, ids } = defaultFixture();
    const [pkg, emu] = await Promise.all([installedPackage(), startEmulator({ fixture, ...options })]);
    Object.assign(world, { pkg, emu, ids, home: livedInHome(emu, ids) });
  });
  after(async () => world.emu?.stop());
  return world;
}
