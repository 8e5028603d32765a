// Preloaded into a meitheal-peer process (node --import) by the fault tests: writes under one folder
// fail the way the file system fails them, without root and without a real full disk.
//   MEITHEAL_TEST_FAULT=ENOSPC:/path  a full disk: files can be created (as a full disk still lets
//                                     an inode be made) but nothing can be written into them, and
//                                     new folders cannot be made;
//   MEITHEAL_TEST_FAULT=EACCES:/path  a folder this account may not write: nothing in it can be
//                                     created, written, renamed or removed.
// Reading is untouched. node:fs/promises is patched and its ES module bindings synced, so the
// peer's `import { open } from "node:fs/promises"` sees the patched functions.
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { resolve, sep } from "node:path";

const [code, ...rest] = (process.env.MEITHEAL_TEST_FAULT ?? "").split(":");
const root = resolve(rest.join(":"));

const under = (path) => {
  if (typeof path !== "string" && !(path instanceof URL) && !Buffer.isBuffer(path)) return false;
  const abs = resolve(String(path instanceof URL ? path.pathname : path));
  return abs === root || abs.startsWith(root + sep);
};

const fail = (syscall, path) => {
  const message =
    code === "ENOSPC" ? "no space left on device" : code === "EACCES" ? "permission denied" : code;
  const e = new Error(`${code}: ${message}, ${syscall} '${String(path)}'`);
  return Object.assign(e, {
    code,
    errno: code === "ENOSPC" ? -28 : -13,
    syscall,
    path: String(path),
  });
};

const writes = (flags) => typeof flags === "string" && /[wa+]/.test(flags);

if (code === "ENOSPC" || code === "EACCES") {
  const p = fs.promises;
  const original = { ...p };
  p.open = async (path, flags, mode) => {
    if (!under(path) || !writes(flags)) return original.open(path, flags, mode);
    if (code === "EACCES") throw fail("open", path);
    const handle = await original.open(path, flags, mode);
    for (const name of ["write", "writeFile", "writev", "appendFile"])
      handle[name] = async () => {
        throw fail("write", path);
      };
    return handle;
  };
  p.writeFile = async (path, ...args) => {
    if (under(path)) throw fail("open", path);
    return original.writeFile(path, ...args);
  };
  p.appendFile = async (path, ...args) => {
    if (under(path)) throw fail("open", path);
    return original.appendFile(path, ...args);
  };
  p.mkdir = async (path, options) => {
    if (under(path) && !fs.existsSync(path)) throw fail("mkdir", path);
    return original.mkdir(path, options);
  };
  p.copyFile = async (from, to, mode) => {
    if (under(to)) throw fail("copyfile", to);
    return original.copyFile(from, to, mode);
  };
  if (code === "EACCES") {
    p.rename = async (from, to) => {
      if (under(from) || under(to)) throw fail("rename", to);
      return original.rename(from, to);
    };
    for (const name of ["rm", "unlink", "rmdir"])
      p[name] = async (path, options) => {
        if (under(path) && fs.existsSync(path)) throw fail(name, path);
        return original[name](path, options);
      };
  }
  syncBuiltinESMExports();
}
