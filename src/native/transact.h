// Transactions: a buffer of netlink requests sent, many per sendmsg, and every answer read until each
// request has its ACK, error or end of dump; on the libuv threadpool, never on the JS thread. The payloads
// are built and parsed in TypeScript (src/netlink); this part only knows nlmsghdr, to tell when every
// request has its answer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "napi.h"

namespace nslab {

struct Transaction {
  int fd = -1;
  std::vector<uint8_t> request;
  std::vector<uint8_t> response;
  SysErr err;
};

// Bytes per recv of netlink answers and events (a transaction reports a larger datagram as EMSGSIZE).
constexpr size_t kRecvBuf = 64 * 1024;

// Sends tx.request on tx.fd and collects every answer into tx.response (or the error into tx.err).
// buf holds one or more receive buffers of kRecvBuf bytes (one per datagram of a recvmmsg), which the
// caller reuses across transactions.
void runTransaction(Transaction& tx, int timeoutMs, std::vector<uint8_t>& buf);

// The first error a batch of ACKed requests got (a positive errno), or 0.
int firstAckError(const std::vector<uint8_t>& answer);

// transact(items: [fd, request: Buffer][], timeoutMs): Promise<(Buffer | SysErrObject)[]>
// The items run one after another on one threadpool thread; callers split work across calls to use
// several cores.
napi_value Transact(napi_env env, napi_callback_info info);

}  // namespace nslab
