#include "files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace nslab {

namespace {

// Whether the file's first line is `header` (a line read from at most its first 256 bytes).
bool startsWithLine(const std::string& file, const std::string& header) {
  int fd = open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return false;
  char buf[256];
  ssize_t n = pread(fd, buf, sizeof buf, 0);
  close(fd);
  if (n <= 0) return false;
  const char* end = static_cast<const char*>(memchr(buf, '\n', static_cast<size_t>(n)));
  size_t line = end != nullptr ? static_cast<size_t>(end - buf) : static_cast<size_t>(n);
  return line == header.size() && memcmp(buf, header.data(), line) == 0;
}

using Removed = std::variant<bool, SysErr>;

// The file, if it is the lab's, then its directory, if that holds nothing else now.
Removed removeOne(const std::string& dir, const std::string& name, const std::string& header) {
  std::string nsDir = dir + "/" + name;
  std::string file = nsDir + "/hosts";
  if (!startsWithLine(file, header)) return false;
  if (unlink(file.c_str()) != 0) return fail("unlink", file);
  if (rmdir(nsDir.c_str()) != 0 && errno != ENOTEMPTY && errno != EEXIST) return fail("rmdir", nsDir);
  return true;
}

}  // namespace

napi_value RemoveHostsFiles(napi_env env, napi_callback_info info) {
  const char* usage = "removeHostsFiles(dir, names, header)";
  size_t argc = 3;
  napi_value argv[3];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  auto dir = std::make_shared<std::string>();
  auto names = std::make_shared<std::vector<std::string>>();
  auto header = std::make_shared<std::string>();
  if (argc < 3 || !getString(env, argv[0], dir.get()) || !getStringArray(env, argv[1], names.get()) ||
      !getString(env, argv[2], header.get())) {
    napi_throw_type_error(env, "NSLAB_NATIVE", usage);
    return nullptr;
  }
  for (const auto& name : *names) {
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) {
      napi_throw_type_error(env, "NSLAB_NATIVE", "removeHostsFiles: a name is one path component");
      return nullptr;
    }
  }
  auto results = std::make_shared<std::vector<Removed>>(names->size());
  return runAsync(
      env, usage,
      [dir, names, header, results]() {
        // Two threads: each file's system calls wait on the disk's caches, not on each other.
        striped(names->size(), names->size() >= 256 ? 2 : 1, [&](size_t i) { (*results)[i] = removeOne(*dir, (*names)[i], *header); });
      },
      [results](napi_env env) {
        napi_value arr;
        napi_create_array_with_length(env, results->size(), &arr);
        for (size_t i = 0; i < results->size(); i++) {
          napi_value el;
          if (const bool* removed = std::get_if<bool>(&(*results)[i])) {
            napi_get_boolean(env, *removed, &el);
          } else {
            el = jsError(env, std::get<SysErr>((*results)[i]));
          }
          napi_set_element(env, arr, i, el);
        }
        return arr;
      });
}

}  // namespace nslab
