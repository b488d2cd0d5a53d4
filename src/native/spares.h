// Spare namespaces: made without a name on one throwaway thread while the caller still decides what to
// call them, held only by descriptors (closing them frees them), named later by a bind mount.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "napi.h"

namespace nslab {

// A spare namespace: made ahead of its name by unshare on a throwaway thread and held only by its two
// descriptors (closing them frees it: nothing of it is visible by name).
struct Spare {
  SysErr err;
  int nsFd = -1;
  int sock = -1;
  uint32_t portId = 0;
};

// Closes spares' descriptors (which frees them) and empties the list.
void closeSpares(std::vector<Spare>& spares);


// A spare (as sparesTake answers it) from JavaScript: { nsFd, fd, portId }.
bool getSpare(napi_env env, napi_value v, Spare* out);

// sparesStart(count, bufBytes): SpareMaker (an external). Starts the maker's thread and returns at once.
// The thread lives until take or the finalizer stops it, waiting once it has made its target.
napi_value SparesStart(napi_env env, napi_callback_info info);

// sparesTarget(maker, count): sets how many spares the maker makes in all (more than it has made: it goes
// on; fewer: it stops there). No effect once taken.
napi_value SparesTarget(napi_env env, napi_callback_info info);

// sparesHeld(maker): number. How many spares the maker holds now (made and not yet taken).
napi_value SparesHeld(napi_env env, napi_callback_info info);

// sparesTake(maker): Promise<{nsFd, fd, portId}[]>. Stops the maker (after the spare it is making) and
// hands over every spare it made; the caller owns their descriptors from then on. A second take gets [].
napi_value SparesTake(napi_env env, napi_callback_info info);

}  // namespace nslab
