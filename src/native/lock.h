// An advisory lock on a file (flock), which the kernel releases when its holder dies, however it dies.
#pragma once

#include "napi.h"

namespace nslab {

// tryLock(path): the fd holding an exclusive flock on `path` (made if missing), null when another holds it,
// or an error record. The lock is the fd's: closing it (closeFd) releases it.
napi_value TryLock(napi_env env, napi_callback_info info);

// raiseFileLimit(): raises the soft RLIMIT_NOFILE to the hard limit and returns [soft, hard] after it
// (a process of many namespaces holds a socket and a descriptor for each it works on).
napi_value RaiseFileLimit(napi_env env, napi_callback_info info);

}  // namespace nslab
