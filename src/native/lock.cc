#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

namespace nslab {

napi_value TryLock(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  std::string path;
  if (argc < 1 || !getString(env, argv[0], &path)) {
    napi_throw_type_error(env, "NSLAB_NATIVE", "tryLock(path)");
    return nullptr;
  }
  // The file may be unlinked (its holder released it) between our open and our flock: then the lock we
  // got is on a file nobody else will open, and we try again on the path's new file.
  for (;;) {
    int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return jsError(env, fail("open", path));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int err = errno;
      close(fd);
      if (err == EWOULDBLOCK) return jsNull(env);
      errno = err;
      return jsError(env, fail("flock", path));
    }
    struct stat held, named;
    if (fstat(fd, &held) == 0 && stat(path.c_str(), &named) == 0 && held.st_ino == named.st_ino && held.st_dev == named.st_dev)
      return jsInt(env, fd);
    close(fd);
  }
}

napi_value RaiseFileLimit(napi_env env, napi_callback_info info) {
  struct rlimit lim;
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return jsError(env, fail("getrlimit", "RLIMIT_NOFILE"));
  if (lim.rlim_cur < lim.rlim_max) {
    struct rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  napi_value out;
  NAPI_OK(napi_create_array_with_length(env, 2, &out));
  NAPI_OK(napi_set_element(env, out, 0, jsInt(env, static_cast<int64_t>(lim.rlim_cur))));
  NAPI_OK(napi_set_element(env, out, 1, jsInt(env, static_cast<int64_t>(lim.rlim_max))));
  return out;
}

}  // namespace nslab
