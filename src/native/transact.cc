#include "transact.h"

#include <errno.h>
#include <linux/netlink.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>

#include <algorithm>
#include <memory>
#include <unordered_map>

namespace nslab {

namespace {

int64_t nowMs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// At most this many requests in flight per sendmsg: the kernel answers a request while we are still in
// sendmsg, and the answers must fit in the socket's receive buffer until we read them.
constexpr size_t kWindow = 256;
constexpr size_t kWindowBytes = 512 * 1024;
// Datagrams read per recvmmsg by transact.
constexpr size_t kRecvBatch = 32;

void freeVector(napi_env, void*, void* hint) { delete static_cast<std::vector<uint8_t>*>(hint); }

}  // namespace

void runTransaction(Transaction& tx, int timeoutMs, std::vector<uint8_t>& buf) {
  struct Msg {
    size_t off, len;
    uint32_t seq;
  };
  std::vector<Msg> msgs;
  for (size_t off = 0; off + sizeof(nlmsghdr) <= tx.request.size();) {
    const auto* h = reinterpret_cast<const nlmsghdr*>(tx.request.data() + off);
    if (h->nlmsg_len < sizeof(nlmsghdr) || off + h->nlmsg_len > tx.request.size()) {
      tx.err = SysErr{EINVAL, "sendmsg", "malformed request buffer"};
      return;
    }
    msgs.push_back({off, NLMSG_ALIGN(h->nlmsg_len), h->nlmsg_seq});
    off += NLMSG_ALIGN(h->nlmsg_len);
  }
  // buf holds `slots` receive buffers of kRecvBuf bytes, one per datagram of a recvmmsg.
  const size_t slots = std::max<size_t>(1, buf.size() / kRecvBuf);
  std::vector<struct iovec> iov(slots);
  std::vector<struct mmsghdr> mm(slots);
  for (size_t s = 0; s < slots; s++) {
    iov[s].iov_base = buf.data() + s * kRecvBuf;
    iov[s].iov_len = kRecvBuf;
    memset(&mm[s], 0, sizeof mm[s]);
    mm[s].msg_hdr.msg_iov = &iov[s];
    mm[s].msg_hdr.msg_iovlen = 1;
  }
  int64_t deadline = nowMs() + timeoutMs;
  size_t i = 0;
  while (i < msgs.size()) {
    size_t j = i, bytes = 0;
    std::unordered_map<uint32_t, bool> pending;
    while (j < msgs.size() && j - i < kWindow && (j == i || bytes + msgs[j].len <= kWindowBytes)) {
      pending[msgs[j].seq] = true;
      bytes += msgs[j].len;
      j++;
    }
    size_t start = msgs[i].off;
    size_t len = std::min(bytes, tx.request.size() - start);
    struct sockaddr_nl kernel;
    memset(&kernel, 0, sizeof kernel);
    kernel.nl_family = AF_NETLINK;
    ssize_t sent;
    do {
      sent = sendto(tx.fd, tx.request.data() + start, len, 0, reinterpret_cast<struct sockaddr*>(&kernel),
                    sizeof kernel);
    } while (sent < 0 && errno == EINTR);
    if (sent < 0) {
      tx.err = fail("sendmsg", "netlink");
      return;
    }
    // The kernel answers rtnetlink requests inside sendto, so the answers are usually queued already:
    // read until the socket is empty and poll only then. Each ACK is a datagram of its own: recvmmsg takes
    // up to `slots` of them a syscall (a window of routes is 256 ACKs), not one.
    while (!pending.empty()) {
      int got;
      do {
        got = recvmmsg(tx.fd, mm.data(), static_cast<unsigned>(slots), MSG_TRUNC | MSG_DONTWAIT, nullptr);
      } while (got < 0 && errno == EINTR);
      if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        int64_t left = deadline - nowMs();
        if (left <= 0) {
          tx.err = SysErr{ETIMEDOUT, "recvmsg", "netlink: no answer from the kernel"};
          return;
        }
        struct pollfd pfd = {tx.fd, POLLIN, 0};
        if (poll(&pfd, 1, static_cast<int>(left)) < 0 && errno != EINTR) {
          tx.err = fail("poll", "netlink");
          return;
        }
        continue;
      }
      if (got < 0) {
        tx.err = fail("recvmsg", "netlink");
        return;
      }
      for (int s = 0; s < got; s++) {
        // With MSG_TRUNC, msg_len is the datagram's real length.
        size_t n = mm[s].msg_len;
        if (n > kRecvBuf) {
          tx.err = SysErr{EMSGSIZE, "recvmsg", "netlink datagram larger than the receive buffer"};
          return;
        }
        const uint8_t* data = buf.data() + static_cast<size_t>(s) * kRecvBuf;
        for (size_t off = 0; off + sizeof(nlmsghdr) <= n;) {
          const auto* h = reinterpret_cast<const nlmsghdr*>(data + off);
          if (h->nlmsg_len < sizeof(nlmsghdr) || off + h->nlmsg_len > n) break;
          if (h->nlmsg_type == NLMSG_ERROR || h->nlmsg_type == NLMSG_DONE) pending.erase(h->nlmsg_seq);
          off += NLMSG_ALIGN(h->nlmsg_len);
        }
        tx.response.insert(tx.response.end(), data, data + n);
      }
    }
    i = j;
  }
}

int firstAckError(const std::vector<uint8_t>& answer) {
  for (size_t off = 0; off + sizeof(nlmsghdr) <= answer.size();) {
    const auto* h = reinterpret_cast<const nlmsghdr*>(answer.data() + off);
    if (h->nlmsg_len < sizeof(nlmsghdr) || off + h->nlmsg_len > answer.size()) break;
    if (h->nlmsg_type == NLMSG_ERROR && h->nlmsg_len >= NLMSG_LENGTH(sizeof(int))) {
      int error = *reinterpret_cast<const int*>(NLMSG_DATA(h));
      if (error != 0) return -error;
    }
    off += NLMSG_ALIGN(h->nlmsg_len);
  }
  return 0;
}

napi_value Transact(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  uint32_t n = 0;
  int64_t timeoutMs = 0;
  if (argc < 2 || napi_get_array_length(env, argv[0], &n) != napi_ok || !getInt(env, argv[1], &timeoutMs)) {
    napi_throw_type_error(env, "NSLAB_NATIVE", "transact(items, timeoutMs)");
    return nullptr;
  }
  auto txs = std::make_shared<std::vector<Transaction>>(n);
  for (uint32_t i = 0; i < n; i++) {
    napi_value tuple, fdv, bufv;
    int64_t fd = -1;
    void* data = nullptr;
    size_t len = 0;
    if (napi_get_element(env, argv[0], i, &tuple) != napi_ok || napi_get_element(env, tuple, 0, &fdv) != napi_ok ||
        napi_get_element(env, tuple, 1, &bufv) != napi_ok || !getInt(env, fdv, &fd) ||
        napi_get_buffer_info(env, bufv, &data, &len) != napi_ok) {
      napi_throw_type_error(env, "NSLAB_NATIVE", "transact(items): each item is [fd, Buffer]");
      return nullptr;
    }
    (*txs)[i].fd = static_cast<int>(fd);
    (*txs)[i].request.assign(static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + len);
  }
  return runAsync(
      env, "nslab.transact",
      [txs, timeoutMs]() {
        // Kept by each threadpool thread: kRecvBatch datagrams a recvmmsg (pages are touched only as used).
        thread_local std::vector<uint8_t> buf(kRecvBatch * kRecvBuf);
        for (auto& tx : *txs) runTransaction(tx, static_cast<int>(timeoutMs), buf);
      },
      [txs](napi_env env) {
        napi_value arr;
        napi_create_array_with_length(env, txs->size(), &arr);
        for (size_t i = 0; i < txs->size(); i++) {
          Transaction& tx = (*txs)[i];
          napi_value el;
          if (!tx.err.ok()) {
            el = jsError(env, tx.err);
          } else {
            auto* owned = new std::vector<uint8_t>(std::move(tx.response));
            if (owned->empty()) {
              napi_create_buffer(env, 0, nullptr, &el);
              delete owned;
            } else {
              napi_create_external_buffer(env, owned->size(), owned->data(), freeVector, owned, &el);
            }
          }
          napi_set_element(env, arr, i, el);
        }
        return arr;
      });
}

}  // namespace nslab
