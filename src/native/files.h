// The hosts files a lab's down removes (src/engine/hosts.ts), in one batch on a threadpool thread: each
// checked by its header before anything of it goes.
#pragma once

#include "napi.h"

namespace nslab {

// removeHostsFiles(dir, names, header): Promise<(boolean | SysErrObject)[]>
//   For each name, the file DIR/NAME/hosts goes when its first line is `header` (true; false when it is
//   not there or not the lab's), and then its directory, unless it holds other files too (someone else's:
//   they stay). The caller journals the names first (src/engine/hosts.ts): a run killed between a file and
//   its directory leaves the directory empty, and the next run removes it.
napi_value RemoveHostsFiles(napi_env env, napi_callback_info info);

}  // namespace nslab
