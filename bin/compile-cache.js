// Where the bin lets Node (>= 22.1) cache compiled code: a directory only this user can write.
// Compiled code in the cache is run as is, so a cache another user can write into is a way to run
// code as whoever starts the CLI next. Node's default is a directory under the shared $TMPDIR with a
// predictable name; this one is ${XDG_CACHE_HOME:-~/.cache}/aistudio-key/compile-cache, created
// 0700, and used only when it and its parent are real directories (not symlinks) owned by this user
// and not writable by group or others, and the cache base is not writable by others (unless sticky,
// like /tmp). Anything else, or any error, means no cache: a slower start, never someone else's code.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

/** True when `p` is a directory (not a symlink) owned by `uid` that only its owner can write. */
function isPrivateDir(p, uid) {
  const st = fs.lstatSync(p);
  return st.isDirectory() && st.uid === uid && (st.mode & 0o022) === 0;
}

/** mkdir 0700 that leaves an existing entry alone (checked next, whatever it is). */
function makeDir(p) {
  try {
    fs.mkdirSync(p, { mode: 0o700 });
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
  }
}

/**
 * The private compile-cache directory, created if missing.
 * @param {{ env: Record<string, string | undefined>, homedir: string, uid: number | undefined }} o
 * @returns {string | undefined} undefined when caching must not happen (NODE_DISABLE_COMPILE_CACHE,
 *   no uid to check against (Windows), a directory that is not private, any file-system error).
 */
function privateCompileCacheDir({ env, homedir, uid }) {
  if (env.NODE_DISABLE_COMPILE_CACHE || uid === undefined) return undefined;
  const xdg = env.XDG_CACHE_HOME;
  // The XDG spec: a relative XDG_CACHE_HOME is invalid and ignored.
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(homedir, '.cache');
  const app = path.join(base, 'aistudio-key');
  const dir = path.join(app, 'compile-cache');
  try {
    fs.mkdirSync(base, { recursive: true, mode: 0o700 });
    // The base may be a symlink (dotfile set-ups) and root's; others must not be able to swap our entry in it.
    const st = fs.statSync(base);
    const othersMayRename = (st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0;
    if (!st.isDirectory() || (st.uid !== uid && st.uid !== 0) || othersMayRename) return undefined;
    makeDir(app);
    if (!isPrivateDir(app, uid)) return undefined;
    makeDir(dir);
    if (!isPrivateDir(dir, uid)) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

module.exports = { privateCompileCacheDir };
