#include "sysctl.h"

#include <fcntl.h>
#include <unistd.h>

#include <memory>
#include <vector>

#include "sockets.h"

namespace nslab {

SysErr writeSysctl(const std::string& key, const std::string& value) {
  std::string path = "/proc/sys/" + key;
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return fail("open", path);
  SysErr e = write(fd, value.data(), value.size()) < 0 ? fail("write", path) : SysErr{};
  close(fd);
  return e;
}

napi_value Sysctl(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  struct Item {
    std::string ns, key, value;
    bool write = false;
    std::string out;
    SysErr err;
  };
  auto items = std::make_shared<std::vector<Item>>();
  uint32_t n = 0;
  if (argc < 1 || napi_get_array_length(env, argv[0], &n) != napi_ok) {
    napi_throw_type_error(env, "NSLAB_NATIVE", "sysctl(items)");
    return nullptr;
  }
  items->resize(n);
  for (uint32_t i = 0; i < n; i++) {
    napi_value tuple, ns, key, value;
    napi_valuetype vt;
    if (napi_get_element(env, argv[0], i, &tuple) != napi_ok || napi_get_element(env, tuple, 0, &ns) != napi_ok ||
        napi_get_element(env, tuple, 1, &key) != napi_ok || napi_get_element(env, tuple, 2, &value) != napi_ok ||
        !getString(env, ns, &(*items)[i].ns) || !getString(env, key, &(*items)[i].key) ||
        napi_typeof(env, value, &vt) != napi_ok) {
      napi_throw_type_error(env, "NSLAB_NATIVE", "sysctl(items): each item is [nsPath, key, value|null]");
      return nullptr;
    }
    if (vt == napi_string) {
      (*items)[i].write = true;
      getString(env, value, &(*items)[i].value);
    }
    if ((*items)[i].key.find("..") != std::string::npos) {
      napi_throw_type_error(env, "NSLAB_NATIVE", "sysctl key must not contain '..'");
      return nullptr;
    }
  }
  return runAsync(
      env, "nslab.sysctl",
      [items]() {
        onThrowawayThread([&]() {
          NamespaceVisitor visitor;
          for (auto& it : *items) {
            it.err = visitor.enter(it.ns);
            if (!it.err.ok()) continue;
            if (it.write) {
              it.err = writeSysctl(it.key, it.value);
              continue;
            }
            std::string path = "/proc/sys/" + it.key;
            int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
              it.err = fail("open", path);
              continue;
            }
            char buf[4096];
            ssize_t r = read(fd, buf, sizeof buf);
            if (r < 0) it.err = fail("read", path);
            else it.out.assign(buf, static_cast<size_t>(r));
            close(fd);
          }
        });
      },
      [items](napi_env env) {
        napi_value arr;
        napi_create_array_with_length(env, items->size(), &arr);
        for (size_t i = 0; i < items->size(); i++) {
          const Item& it = (*items)[i];
          napi_set_element(env, arr, i, it.err.ok() ? jsString(env, it.out) : jsError(env, it.err));
        }
        return arr;
      });
}

}  // namespace nslab
