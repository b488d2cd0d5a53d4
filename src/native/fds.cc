#include "fds.h"

#include <unistd.h>

#include <memory>
#include <vector>

namespace nslab {

napi_value CloseFd(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int64_t fd = -1;
  if (argc < 1 || !getInt(env, argv[0], &fd)) {
    napi_throw_type_error(env, "NSLAB_NATIVE", "closeFd(fd)");
    return nullptr;
  }
  close(static_cast<int>(fd));
  return nullptr;
}

napi_value CloseFds(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  uint32_t n = 0;
  if (argc < 1 || napi_get_array_length(env, argv[0], &n) != napi_ok) {
    napi_throw_type_error(env, "NSLAB_NATIVE", "closeFds(fds)");
    return nullptr;
  }
  auto fds = std::make_shared<std::vector<int>>();
  for (uint32_t i = 0; i < n; i++) {
    napi_value el;
    int64_t fd = -1;
    if (napi_get_element(env, argv[0], i, &el) != napi_ok || !getInt(env, el, &fd)) {
      napi_throw_type_error(env, "NSLAB_NATIVE", "closeFds(fds): each fd is a number");
      return nullptr;
    }
    fds->push_back(static_cast<int>(fd));
  }
  return runAsync(
      env, "nslab.closeFds",
      [fds]() {
        for (int fd : *fds) close(fd);
      },
      [](napi_env env) { return jsNull(env); });
}

}  // namespace nslab
