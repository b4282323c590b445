/**
 * The file-system calls the file targets make, behind one small interface so tests can make any of
 * them fail (a full disk at write, a rename refused) and check that nothing is left behind.
 */
import { constants } from 'node:fs';
import { link, lstat, open, rename, stat, truncate, unlink } from 'node:fs/promises';

export interface WritableFile {
  write(data: string): Promise<void>;
  chmod(mode: number): Promise<void>;
  /** fsync: the bytes are on the disk before the file gets its real name. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface FileOps {
  /** undefined when nothing is at `path` (ENOENT); other errors are thrown. Does not follow a final symlink. */
  lstat(path: string): Promise<{ isFile: boolean; isDirectory: boolean; size: number } | undefined>;
  /** Like lstat, but follows symlinks. */
  stat(path: string): Promise<{ isFile: boolean; isDirectory: boolean; size: number } | undefined>;
  /** `wx`: create, fail with EEXIST if anything is there; `a`: append (create if missing). */
  open(path: string, flags: 'wx' | 'a', mode: number): Promise<WritableFile>;
  rename(from: string, to: string): Promise<void>;
  /** A hard link: fails with EEXIST when `to` exists, which makes a no-clobber commit atomic. */
  link(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  truncate(path: string, size: number): Promise<void>;
  /** fsync of a directory (makes a rename durable); best effort. */
  syncDir(path: string): Promise<void>;
}

function info(s: { isFile(): boolean; isDirectory(): boolean; size: number }): { isFile: boolean; isDirectory: boolean; size: number } {
  return { isFile: s.isFile(), isDirectory: s.isDirectory(), size: s.size };
}

function isMissing(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ENOENT';
}

/** node:fs/promises. */
export const nodeFileOps: FileOps = {
  async lstat(path) {
    try {
      return info(await lstat(path));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  },
  async stat(path) {
    try {
      return info(await stat(path));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  },
  async open(path, flags, mode) {
    const handle = await open(path, flags === 'wx' ? constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL : 'a', mode);
    return {
      write: async (data) => {
        await handle.writeFile(data, 'utf8');
      },
      chmod: (m) => handle.chmod(m),
      sync: () => handle.sync(),
      close: () => handle.close(),
    };
  },
  rename: (from, to) => rename(from, to),
  link: (from, to) => link(from, to),
  unlink: (path) => unlink(path),
  truncate: (path, size) => truncate(path, size),
  async syncDir(path) {
    let handle;
    try {
      handle = await open(path, 'r');
      await handle.sync();
    } catch {
      // Not every platform can fsync a directory (Windows); the rename itself has happened.
    } finally {
      await handle?.close().catch(() => undefined);
    }
  },
};
