/*
 * The few system calls the fs helper needs that Node does not have. The
 * helper runs docker cp (and export) from inside the container's root file
 * system: it chroots there, as dockerd's reexec'd archive helper does, so
 * the kernel resolves every path against the container's `/` at every use
 * and a container racing symlinks (CVE-2018-15664) can only ever point the
 * helper at its own files. Once chrooted the helper may exec nothing (any
 * binary it found would be the container's), so the work it used to give
 * to mount, setfattr, getfattr and mknod is done here instead:
 *
 *   chroot(dir)                      chroot(2) then chdir("/")
 *   openTree(path, readOnly) -> fd   a detached recursive bind of a host path
 *                                    (open_tree CLONE), made read-only with
 *                                    mount_setattr; taken before the chroot
 *   moveMount(fd, dest)              attaches it at dest, resolved in the root
 *   lsetxattr / lgetxattr / llistxattr / mknod
 *
 * Errors are thrown as Error objects with `code` (ENOENT...) and `syscall`,
 * like Node's own.
 *
 * Built by scripts/build-native.mjs with the system C compiler against the
 * N-API header that ships with Node (no node-gyp, no network).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <node_api.h>

#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#define B_OPEN_TREE_CLONE 1
#define B_OPEN_TREE_CLOEXEC O_CLOEXEC
#define B_AT_RECURSIVE 0x8000
#define B_AT_EMPTY_PATH 0x1000
#define B_MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#define B_MOUNT_ATTR_RDONLY 0x00000001

struct b_mount_attr {
  unsigned long long attr_set;
  unsigned long long attr_clr;
  unsigned long long propagation;
  unsigned long long userns_fd;
};

static const char *errno_code(int e) {
  switch (e) {
    case ENOENT: return "ENOENT";
    case ENOTDIR: return "ENOTDIR";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case EEXIST: return "EEXIST";
    case EINVAL: return "EINVAL";
    case ELOOP: return "ELOOP";
    case ENODATA: return "ENODATA";
    case ENOTSUP: return "ENOTSUP";
    case ERANGE: return "ERANGE";
    case EROFS: return "EROFS";
    case ENOSPC: return "ENOSPC";
    case EBUSY: return "EBUSY";
    case EISDIR: return "EISDIR";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case EIO: return "EIO";
    case EDQUOT: return "EDQUOT";
    case E2BIG: return "E2BIG";
    case ENOSYS: return "ENOSYS";
    case EBADF: return "EBADF";
    default: return "EUNKNOWN";
  }
}

/* Throws `syscall path: strerror` with code/syscall/path set; returns NULL for the caller to return. */
static napi_value throw_errno(napi_env env, const char *syscall_name, const char *path, int e) {
  char msg[4200];
  const char *code = errno_code(e);
  snprintf(msg, sizeof msg, "%s: %s, %s '%s'", code, strerror(e), syscall_name, path ? path : "");
  napi_value err, vcode, vmsg, vsys, vpath, verrno;
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &vcode);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &vmsg);
  napi_create_error(env, vcode, vmsg, &err);
  napi_create_string_utf8(env, syscall_name, NAPI_AUTO_LENGTH, &vsys);
  napi_set_named_property(env, err, "syscall", vsys);
  napi_create_int32(env, -e, &verrno);
  napi_set_named_property(env, err, "errno", verrno);
  if (path) {
    napi_create_string_utf8(env, path, NAPI_AUTO_LENGTH, &vpath);
    napi_set_named_property(env, err, "path", vpath);
  }
  napi_throw(env, err);
  return NULL;
}

/* A string argument, malloc'ed (the caller frees); NULL with an exception pending on a wrong type. */
static char *string_arg(napi_env env, napi_value v) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "expected a string");
    return NULL;
  }
  char *s = malloc(len + 1);
  if (!s) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  napi_get_value_string_utf8(env, v, s, len + 1, &len);
  if (strlen(s) != len) {
    free(s);
    napi_throw_type_error(env, NULL, "a path may not contain NUL");
    return NULL;
  }
  return s;
}

/* The (path, xattr name) pair of the xattr calls: both malloc'ed, or false with an exception pending. */
static bool path_and_name(napi_env env, napi_value *argv, char **path, char **name) {
  *path = string_arg(env, argv[0]);
  if (!*path) return false;
  *name = string_arg(env, argv[1]);
  if (!*name) {
    free(*path);
    *path = NULL;
    return false;
  }
  return true;
}

static int args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < want) {
    napi_throw_type_error(env, NULL, "missing arguments");
    return 0;
  }
  return 1;
}

static napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

static napi_value do_chroot(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!args(env, info, 1, argv)) return NULL;
  char *dir = string_arg(env, argv[0]);
  if (!dir) return NULL;
  if (chroot(dir) != 0) {
    int e = errno;
    napi_value r = throw_errno(env, "chroot", dir, e);
    free(dir);
    return r;
  }
  free(dir);
  if (chdir("/") != 0) return throw_errno(env, "chdir", "/", errno);
  return undefined(env);
}

static napi_value do_open_tree(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!args(env, info, 2, argv)) return NULL;
  char *p = string_arg(env, argv[0]);
  if (!p) return NULL;
  bool ro = false;
  napi_get_value_bool(env, argv[1], &ro);
  int fd = (int)syscall(SYS_open_tree, AT_FDCWD, p, B_OPEN_TREE_CLONE | B_OPEN_TREE_CLOEXEC | B_AT_RECURSIVE);
  if (fd < 0) {
    int e = errno;
    napi_value r = throw_errno(env, "open_tree", p, e);
    free(p);
    return r;
  }
  if (ro) {
    struct b_mount_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.attr_set = B_MOUNT_ATTR_RDONLY;
    if (syscall(SYS_mount_setattr, fd, "", B_AT_EMPTY_PATH | B_AT_RECURSIVE, &attr, sizeof attr) != 0) {
      int e = errno;
      close(fd);
      napi_value r = throw_errno(env, "mount_setattr", p, e);
      free(p);
      return r;
    }
  }
  free(p);
  napi_value out;
  napi_create_int32(env, fd, &out);
  return out;
}

static napi_value do_move_mount(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!args(env, info, 2, argv)) return NULL;
  int fd = -1;
  napi_get_value_int32(env, argv[0], &fd);
  char *dest = string_arg(env, argv[1]);
  if (!dest) return NULL;
  if (syscall(SYS_move_mount, fd, "", AT_FDCWD, dest, B_MOVE_MOUNT_F_EMPTY_PATH) != 0) {
    int e = errno;
    napi_value r = throw_errno(env, "move_mount", dest, e);
    free(dest);
    return r;
  }
  free(dest);
  return undefined(env);
}

static napi_value do_lsetxattr(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!args(env, info, 3, argv)) return NULL;
  char *p = NULL, *name = NULL;
  if (!path_and_name(env, argv, &p, &name)) return NULL;
  void *data = NULL;
  size_t len = 0;
  if (napi_get_buffer_info(env, argv[2], &data, &len) != napi_ok) {
    free(p);
    free(name);
    napi_throw_type_error(env, NULL, "expected a Buffer");
    return NULL;
  }
  napi_value r = NULL;
  if (lsetxattr(p, name, data, len, 0) != 0) r = throw_errno(env, "lsetxattr", p, errno);
  else r = undefined(env);
  free(p);
  free(name);
  return r;
}

static napi_value do_lgetxattr(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!args(env, info, 2, argv)) return NULL;
  char *p = NULL, *name = NULL;
  if (!path_and_name(env, argv, &p, &name)) return NULL;
  napi_value r = NULL;
  for (;;) {
    ssize_t n = lgetxattr(p, name, NULL, 0);
    if (n < 0) {
      r = throw_errno(env, "lgetxattr", p, errno);
      break;
    }
    void *data = NULL;
    napi_value buf;
    napi_create_buffer(env, (size_t)n, &data, &buf);
    ssize_t got = n == 0 ? 0 : lgetxattr(p, name, data, (size_t)n);
    if (got < 0 && errno == ERANGE) continue; /* grew in between */
    if (got < 0) {
      r = throw_errno(env, "lgetxattr", p, errno);
      break;
    }
    if (got == n) {
      r = buf;
    } else {
      napi_value part;
      napi_create_buffer_copy(env, (size_t)got, data, NULL, &part);
      r = part;
    }
    break;
  }
  free(p);
  free(name);
  return r;
}

static napi_value do_llistxattr(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!args(env, info, 1, argv)) return NULL;
  char *p = string_arg(env, argv[0]);
  if (!p) return NULL;
  napi_value r = NULL;
  for (;;) {
    ssize_t n = llistxattr(p, NULL, 0);
    if (n < 0) {
      r = throw_errno(env, "llistxattr", p, errno);
      break;
    }
    char *names = malloc((size_t)n + 1);
    if (!names) {
      napi_throw_error(env, NULL, "out of memory");
      break;
    }
    ssize_t got = n == 0 ? 0 : llistxattr(p, names, (size_t)n);
    if (got < 0 && errno == ERANGE) {
      free(names);
      continue;
    }
    if (got < 0) {
      free(names);
      r = throw_errno(env, "llistxattr", p, errno);
      break;
    }
    napi_value arr;
    napi_create_array(env, &arr);
    uint32_t i = 0;
    for (ssize_t off = 0; off < got;) {
      size_t l = strnlen(names + off, (size_t)(got - off));
      napi_value s;
      napi_create_string_utf8(env, names + off, l, &s);
      napi_set_element(env, arr, i++, s);
      off += (ssize_t)l + 1;
    }
    free(names);
    r = arr;
    break;
  }
  free(p);
  return r;
}

static napi_value do_mknod(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!args(env, info, 4, argv)) return NULL;
  char *p = string_arg(env, argv[0]);
  if (!p) return NULL;
  uint32_t mode = 0, major = 0, minor = 0;
  napi_get_value_uint32(env, argv[1], &mode);
  napi_get_value_uint32(env, argv[2], &major);
  napi_get_value_uint32(env, argv[3], &minor);
  napi_value r = NULL;
  if (mknod(p, (mode_t)mode, makedev(major, minor)) != 0) r = throw_errno(env, "mknod", p, errno);
  else r = undefined(env);
  free(p);
  return r;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"chroot", NULL, do_chroot, NULL, NULL, NULL, napi_enumerable, NULL},
    {"openTree", NULL, do_open_tree, NULL, NULL, NULL, napi_enumerable, NULL},
    {"moveMount", NULL, do_move_mount, NULL, NULL, NULL, napi_enumerable, NULL},
    {"lsetxattr", NULL, do_lsetxattr, NULL, NULL, NULL, napi_enumerable, NULL},
    {"lgetxattr", NULL, do_lgetxattr, NULL, NULL, NULL, napi_enumerable, NULL},
    {"llistxattr", NULL, do_llistxattr, NULL, NULL, NULL, napi_enumerable, NULL},
    {"mknod", NULL, do_mknod, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
