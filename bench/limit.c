/*
 * nslab-limit: the kernel's limit for the scale benchmarks (bench/scale.ts). It does the work of a lab's
 * `up` with raw system calls and rtnetlink, batched, and nothing else: no validation, no bookkeeping, no
 * rollback, no marks. Written from the kernel's uapi headers for nslab's benchmarks.
 *
 *   cc -O2 -o nslab-limit bench/limit.c -lpthread
 *   nslab-limit FILE            make the namespaces, devices, addresses and routes FILE lists
 *   nslab-limit --delete FILE   remove FILE's namespaces (umount2 MNT_DETACH + unlink, as ip netns del)
 *
 * Input (bench/topologies.ts limitInput writes it; one item a line, namespaces by number in `ns` order):
 *   ns NAME [forward]
 *   bridge NS IFNAME IFINDEX
 *   veth NS IFNAME IFINDEX PEERNS PEERNAME PEERINDEX MASTER|0
 *   up NS IFINDEX
 *   addr NS IFINDEX A.B.C.D PLEN
 *   route NS A.B.C.D PLEN GATEWAY|- OIF|0
 *
 * How: /run/netns is made a shared mount (as `ip netns add` does). Worker threads, one per CPU, each make
 * namespaces: unshare(CLONE_NEWNET) moves the thread into a new namespace, /proc/thread-self/ns/net is
 * bind-mounted onto /run/netns/NAME, and the thread opens the namespace's NETLINK_ROUTE socket there (a
 * socket belongs to the namespace it was born in) and writes ip_forward for routers. No thread ever goes
 * back. Then, namespace by namespace in order, every request of that namespace goes in one sendmsg: lo
 * up, bridges (created up), veths (the peer born in its namespace through IFLA_NET_NS_FD, both ends
 * given their ifindex so later requests name them without a lookup; a bridge port enslaved at creation
 * with IFLA_MASTER), up (a veth cannot be created up: the kernel opens it before its peer is joined, and
 * veth_open answers ENOTCONN), addresses, routes; each asks for an ACK; all ACKs are read (recvmmsg)
 * before the next namespace, whose devices the earlier ones created. The first error stops the run.
 *
 * Descriptors: a namespace held open costs two (itself and its socket). The makers keep them for as many
 * namespaces as RLIMIT_NOFILE allows (all of them up to a few thousand); past that, a namespace is opened
 * when its turn comes (open /run/netns/NAME, setns, socket) and closed after, and a veth's peer is opened
 * for the request that names it. A namespace's requests go in windows of WINDOW, so the peers opened at
 * once stay bounded too (the hub of a star names thousands). So 10,000 namespaces fit 20,000 descriptors.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define NETNS_DIR "/run/netns"

struct ns {
	char *name;
	int forward;
	int sock;   /* NETLINK_ROUTE socket born in the namespace */
	int fd;     /* the namespace itself, for IFLA_NET_NS_FD */
	char *buf;  /* this namespace's requests, back to back */
	size_t len, cap;
	unsigned msgs;
	const char *err; /* set by the maker thread on failure */
	int err_errno;
	size_t *lines_of; /* this namespace's input lines, in order */
	size_t nlines_of, cap_lines_of;
};

static const char *input;
static char **lines;    /* the input, one string a line */
static size_t nlines;
static struct ns *nss;
static size_t nns;
static size_t *seq_line; /* request sequence number -> input line (0: the lo request) */
static uint32_t seq;
static size_t held;      /* namespaces the makers keep open (sock, fd): the first `held` */

#define WINDOW 1024      /* requests per sendmsg: bounds the peers open at once and the ACKs queued */

static void die(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "nslab-limit: ");
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	exit(1);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (p == NULL) die("%s%s", "out of memory", "");
	return p;
}

static void read_input(void)
{
	FILE *f = fopen(input, "r");
	if (f == NULL) die("cannot read %s: %s", input, strerror(errno));
	char *line = NULL;
	size_t n = 0, cap = 0;
	while (getline(&line, &n, f) >= 0) {
		line[strcspn(line, "\r\n")] = 0;
		if (nlines == cap) lines = xrealloc(lines, (cap = cap ? cap * 2 : 1024) * sizeof *lines);
		lines[nlines++] = strdup(line);
	}
	free(line);
	fclose(f);
}

static void bad_line(size_t i)
{
	fprintf(stderr, "nslab-limit: %s:%zu: cannot read this line: %s\n", input, i + 1, lines[i]);
	exit(1);
}

static struct ns *ns_at(const char *s, size_t i)
{
	char *end;
	unsigned long k = strtoul(s, &end, 10);
	if (*end != 0 || k >= nns) bad_line(i);
	return &nss[k];
}

/* ---- building requests: offsets, not pointers, since the buffer grows ---- */

static void *put(struct ns *n, size_t len)
{
	size_t al = NLMSG_ALIGN(len);
	if (n->len + al > n->cap) n->buf = xrealloc(n->buf, n->cap = (n->len + al) * 2 + 4096);
	void *p = n->buf + n->len;
	memset(p, 0, al);
	n->len += al;
	return p;
}

static size_t msg_begin(struct ns *n, uint16_t type, uint16_t flags, size_t line)
{
	size_t off = n->len;
	struct nlmsghdr *h = put(n, NLMSG_HDRLEN);
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	h->nlmsg_seq = ++seq;
	seq_line[seq] = line;
	n->msgs++;
	return off;
}

static void msg_end(struct ns *n, size_t off)
{
	((struct nlmsghdr *)(n->buf + off))->nlmsg_len = (uint32_t)(n->len - off);
}

static void attr(struct ns *n, uint16_t type, const void *data, size_t len)
{
	struct rtattr *a = put(n, RTA_LENGTH(len));
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
}

static void attr_u32(struct ns *n, uint16_t type, uint32_t v) { attr(n, type, &v, sizeof v); }
static void attr_str(struct ns *n, uint16_t type, const char *s) { attr(n, type, s, strlen(s) + 1); }

static size_t nest_begin(struct ns *n, uint16_t type)
{
	size_t off = n->len;
	struct rtattr *a = put(n, RTA_LENGTH(0));
	a->rta_type = type;
	return off;
}

static void nest_end(struct ns *n, size_t off)
{
	((struct rtattr *)(n->buf + off))->rta_len = (unsigned short)(n->len - off);
}

static void put_ifinfo(struct ns *n, int index, int up)
{
	struct ifinfomsg *ifi = put(n, sizeof *ifi);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	ifi->ifi_flags = up ? IFF_UP : 0;
	ifi->ifi_change = up ? IFF_UP : 0;
}

static uint32_t ip4(const char *s, size_t i)
{
	struct in_addr a;
	if (inet_pton(AF_INET, s, &a) != 1) bad_line(i);
	return a.s_addr;
}

static int num(const char *s, size_t i)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*end != 0 || v < 0) bad_line(i);
	return (int)v;
}

static int peer_fd(struct ns *peer);

static void build(size_t i)
{
	char copy[512], *w[10];
	int k = 0;
	snprintf(copy, sizeof copy, "%s", lines[i]);
	for (char *s = strtok(copy, " \t"); s != NULL && k < 10; s = strtok(NULL, " \t")) w[k++] = s;
	if (k == 0 || w[0][0] == '#' || strcmp(w[0], "ns") == 0) return;
	if (strcmp(w[0], "bridge") == 0 && k == 4) {
		struct ns *n = ns_at(w[1], i);
		size_t m = msg_begin(n, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, i + 1);
		put_ifinfo(n, num(w[3], i), 1);
		attr_str(n, IFLA_IFNAME, w[2]);
		size_t li = nest_begin(n, IFLA_LINKINFO);
		attr_str(n, IFLA_INFO_KIND, "bridge");
		nest_end(n, li);
		msg_end(n, m);
	} else if (strcmp(w[0], "veth") == 0 && k == 8) {
		struct ns *n = ns_at(w[1], i), *peer = ns_at(w[4], i);
		size_t m = msg_begin(n, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, i + 1);
		put_ifinfo(n, num(w[3], i), 0);
		attr_str(n, IFLA_IFNAME, w[2]);
		int master = num(w[7], i);
		if (master != 0) attr_u32(n, IFLA_MASTER, (uint32_t)master);
		size_t li = nest_begin(n, IFLA_LINKINFO);
		attr_str(n, IFLA_INFO_KIND, "veth");
		size_t data = nest_begin(n, IFLA_INFO_DATA);
		size_t p = nest_begin(n, VETH_INFO_PEER);
		put_ifinfo(n, num(w[6], i), 0);
		attr_str(n, IFLA_IFNAME, w[5]);
		attr_u32(n, IFLA_NET_NS_FD, (uint32_t)peer_fd(peer));
		nest_end(n, p);
		nest_end(n, data);
		nest_end(n, li);
		msg_end(n, m);
	} else if (strcmp(w[0], "up") == 0 && k == 3) {
		struct ns *n = ns_at(w[1], i);
		size_t m = msg_begin(n, RTM_NEWLINK, 0, i + 1);
		put_ifinfo(n, num(w[2], i), 1);
		msg_end(n, m);
	} else if (strcmp(w[0], "addr") == 0 && k == 5) {
		struct ns *n = ns_at(w[1], i);
		size_t m = msg_begin(n, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, i + 1);
		struct ifaddrmsg *ifa = put(n, sizeof *ifa);
		ifa->ifa_family = AF_INET;
		ifa->ifa_prefixlen = (unsigned char)num(w[4], i);
		ifa->ifa_scope = RT_SCOPE_UNIVERSE;
		ifa->ifa_index = (unsigned)num(w[2], i);
		uint32_t a = ip4(w[3], i);
		attr(n, IFA_LOCAL, &a, 4);
		attr(n, IFA_ADDRESS, &a, 4);
		msg_end(n, m);
	} else if (strcmp(w[0], "route") == 0 && k == 6) {
		struct ns *n = ns_at(w[1], i);
		int has_gw = strcmp(w[4], "-") != 0, oif = num(w[5], i), plen = num(w[3], i);
		size_t m = msg_begin(n, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, i + 1);
		struct rtmsg *rt = put(n, sizeof *rt);
		rt->rtm_family = AF_INET;
		rt->rtm_dst_len = (unsigned char)plen;
		rt->rtm_table = RT_TABLE_MAIN;
		rt->rtm_protocol = RTPROT_BOOT;
		rt->rtm_scope = has_gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
		rt->rtm_type = RTN_UNICAST;
		if (plen > 0) {
			uint32_t d = ip4(w[2], i);
			attr(n, RTA_DST, &d, 4);
		}
		if (has_gw) {
			uint32_t g = ip4(w[4], i);
			attr(n, RTA_GATEWAY, &g, 4);
		}
		if (oif != 0) attr_u32(n, RTA_OIF, (uint32_t)oif);
		msg_end(n, m);
	} else {
		bad_line(i);
	}
}

/* ---- namespaces ---- */

static size_t nthreads;

static void fail(struct ns *n, const char *what)
{
	n->err = what;
	n->err_errno = errno;
}

static void *maker(void *arg)
{
	size_t t = (size_t)(uintptr_t)arg;
	int one = 1;
	char path[512];
	for (size_t i = t; i < nns; i += nthreads) {
		struct ns *n = &nss[i];
		snprintf(path, sizeof path, NETNS_DIR "/%s", n->name);
		int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
		if (fd < 0) { fail(n, "open(O_CREAT|O_EXCL) of the mount point"); return NULL; }
		close(fd);
		if (unshare(CLONE_NEWNET) != 0) { fail(n, "unshare(CLONE_NEWNET)"); return NULL; }
		if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) != 0) { fail(n, "bind mount of /proc/thread-self/ns/net"); return NULL; }
		if (i < held) {
			n->fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
			if (n->fd < 0) { fail(n, "open /proc/thread-self/ns/net"); return NULL; }
			n->sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
			if (n->sock < 0) { fail(n, "socket(NETLINK_ROUTE)"); return NULL; }
			setsockopt(n->sock, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
			setsockopt(n->sock, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
		}
		if (n->forward) {
			int f = open("/proc/sys/net/ipv4/ip_forward", O_WRONLY | O_CLOEXEC);
			if (f < 0 || write(f, "1\n", 2) != 2) { fail(n, "write /proc/sys/net/ipv4/ip_forward"); return NULL; }
			close(f);
		}
	}
	return NULL;
}

static void make_run_dir_shared(void)
{
	/* As `ip netns add`: /run/netns exists and is a shared mount, so namespaces mounted under it are seen
	 * by mount namespaces made later. Bind it onto itself first if it is not a mount point yet. */
	mkdir(NETNS_DIR, 0755);
	if (mount("", NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) == 0) return;
	if (errno != EINVAL) die("mount --make-shared " NETNS_DIR ": %s%s", strerror(errno), "");
	if (mount(NETNS_DIR, NETNS_DIR, "none", MS_BIND | MS_REC, NULL) != 0) die("bind mount " NETNS_DIR ": %s%s", strerror(errno), "");
	if (mount("", NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) != 0) die("mount --make-shared " NETNS_DIR ": %s%s", strerror(errno), "");
}

/* ---- sending a namespace's batch and reading its ACKs ---- */

#define RECV_BATCH 256
#define RECV_SIZE 8192

static void report(struct ns *n, struct nlmsghdr *h)
{
	struct nlmsgerr *e = NLMSG_DATA(h);
	size_t line = e->msg.nlmsg_seq <= seq ? seq_line[e->msg.nlmsg_seq] : 0;
	const char *ext = "";
	/* With NETLINK_CAP_ACK the extended ACK's attributes follow the request's header. */
	if (h->nlmsg_flags & NLM_F_ACK_TLVS) {
		struct rtattr *a = (struct rtattr *)((char *)e + sizeof *e);
		int left = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof *e);
		for (; RTA_OK(a, left); a = RTA_NEXT(a, left))
			if (a->rta_type == NLMSGERR_ATTR_MSG) ext = RTA_DATA(a);
	}
	const char *sep = *ext ? ": " : "";
	if (line != 0)
		fprintf(stderr, "nslab-limit: %s:%zu: in netns %s: %s%s%s\n  the line: %s\n", input, line, n->name, strerror(-e->error), sep, ext, lines[line - 1]);
	else
		fprintf(stderr, "nslab-limit: netns %s: bringing lo up: %s%s%s\n", n->name, strerror(-e->error), sep, ext);
	exit(1);
}

static void run_batch(struct ns *n)
{
	int big = (int)(n->len + 65536);
	setsockopt(n->sock, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof big);
	int rcv = (int)(n->msgs * 2048 + 65536); /* every ACK is queued before the first is read */
	setsockopt(n->sock, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof rcv);
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	struct iovec iov = {.iov_base = n->buf, .iov_len = n->len};
	struct msghdr mh = {.msg_name = &kernel, .msg_namelen = sizeof kernel, .msg_iov = &iov, .msg_iovlen = 1};
	if (sendmsg(n->sock, &mh, 0) != (ssize_t)n->len) die("sendmsg to netns %s: %s", n->name, strerror(errno));

	static char bufs[RECV_BATCH][RECV_SIZE];
	static struct iovec iovs[RECV_BATCH];
	static struct mmsghdr mms[RECV_BATCH];
	unsigned acked = 0;
	while (acked < n->msgs) {
		for (int i = 0; i < RECV_BATCH; i++) {
			iovs[i] = (struct iovec){.iov_base = bufs[i], .iov_len = RECV_SIZE};
			mms[i].msg_hdr = (struct msghdr){.msg_iov = &iovs[i], .msg_iovlen = 1};
		}
		int got = recvmmsg(n->sock, mms, RECV_BATCH, MSG_WAITFORONE, NULL);
		if (got < 0) {
			if (errno == EINTR) continue;
			die("recvmmsg from netns %s: %s", n->name, strerror(errno));
		}
		for (int i = 0; i < got; i++) {
			int left = (int)mms[i].msg_len;
			for (struct nlmsghdr *h = (struct nlmsghdr *)bufs[i]; NLMSG_OK(h, (unsigned)left); h = NLMSG_NEXT(h, left)) {
				if (h->nlmsg_type != NLMSG_ERROR) continue;
				if (((struct nlmsgerr *)NLMSG_DATA(h))->error != 0) report(n, h);
				acked++;
			}
		}
	}
}

/* ---- descriptors beyond the held ones: opened for a window, closed after ---- */

static struct ns **temps; /* peers opened for the window being built */
static size_t ntemps, cap_temps;

static int open_netns(struct ns *n)
{
	char path[512];
	snprintf(path, sizeof path, NETNS_DIR "/%s", n->name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) die("open %s: %s", path, strerror(errno));
	return fd;
}

static int peer_fd(struct ns *peer)
{
	if (peer->fd < 0) {
		peer->fd = open_netns(peer);
		if (ntemps == cap_temps) temps = xrealloc(temps, (cap_temps = cap_temps ? cap_temps * 2 : 64) * sizeof *temps);
		temps[ntemps++] = peer;
	}
	return peer->fd;
}

static void close_temps(void)
{
	for (size_t i = 0; i < ntemps; i++) {
		close(temps[i]->fd);
		temps[i]->fd = -1;
	}
	ntemps = 0;
}

/* A namespace not held open gets its socket now: born in it, as the makers' are (this thread stays there). */
static void open_socket(struct ns *n)
{
	int one = 1;
	if (n->fd < 0) n->fd = open_netns(n);
	if (setns(n->fd, CLONE_NEWNET) != 0) die("setns into netns %s: %s", n->name, strerror(errno));
	n->sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (n->sock < 0) die("socket(NETLINK_ROUTE) in netns %s: %s", n->name, strerror(errno));
	setsockopt(n->sock, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
	setsockopt(n->sock, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
}

/* Sends what is built of a namespace's requests, reads their ACKs, and starts its next window. */
static void flush(struct ns *n)
{
	if (n->msgs == 0) return;
	run_batch(n);
	close_temps();
	n->len = 0;
	n->msgs = 0;
}

static void delete_all(void)
{
	char path[512];
	for (size_t i = 0; i < nns; i++) {
		snprintf(path, sizeof path, NETNS_DIR "/%s", nss[i].name);
		umount2(path, MNT_DETACH);
		if (unlink(path) != 0) die("unlink %s: %s", path, strerror(errno));
	}
}

int main(int argc, char **argv)
{
	int del = argc == 3 && strcmp(argv[1], "--delete") == 0;
	if (argc != 2 && !del) {
		fprintf(stderr, "usage: nslab-limit [--delete] FILE\n");
		return 2;
	}
	input = argv[argc - 1];
	read_input();
	for (size_t i = 0; i < nlines; i++) {
		if (strncmp(lines[i], "ns ", 3) != 0) continue;
		nss = xrealloc(nss, (nns + 1) * sizeof *nss);
		char name[256], extra[32] = "";
		if (sscanf(lines[i] + 3, "%255s %31s", name, extra) < 1) bad_line(i);
		nss[nns++] = (struct ns){.name = strdup(name), .forward = strcmp(extra, "forward") == 0, .sock = -1, .fd = -1};
	}
	if (del) {
		delete_all();
		return 0;
	}

	/* Two descriptors a held namespace: raise the soft limit to the hard one, and hold what fits beside a
	 * window's peers. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	held = nns;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
		size_t room = rl.rlim_cur > WINDOW + 64 ? (size_t)(rl.rlim_cur - WINDOW - 64) / 2 : 0;
		if (room < held) held = room;
	}
	/* Each namespace's lines, in order (every line but `ns` names its namespace second). */
	for (size_t i = 0; i < nlines; i++) {
		char copy[64], *w0, *w1, *save;
		snprintf(copy, sizeof copy, "%s", lines[i]);
		w0 = strtok_r(copy, " \t", &save);
		if (w0 == NULL || w0[0] == '#' || strcmp(w0, "ns") == 0) continue;
		w1 = strtok_r(NULL, " \t", &save);
		if (w1 == NULL) bad_line(i);
		struct ns *n = ns_at(w1, i);
		if (n->nlines_of == n->cap_lines_of) n->lines_of = xrealloc(n->lines_of, (n->cap_lines_of = n->cap_lines_of ? n->cap_lines_of * 2 : 16) * sizeof *n->lines_of);
		n->lines_of[n->nlines_of++] = i;
	}
	make_run_dir_shared();
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	nthreads = cpus < 1 ? 1 : (size_t)cpus;
	if (nthreads > nns) nthreads = nns ? nns : 1;
	pthread_t th[256];
	if (nthreads > 256) nthreads = 256;
	for (size_t t = 0; t < nthreads; t++)
		if (pthread_create(&th[t], NULL, maker, (void *)(uintptr_t)t) != 0) die("pthread_create: %s%s", strerror(errno), "");
	for (size_t t = 0; t < nthreads; t++) pthread_join(th[t], NULL);
	for (size_t i = 0; i < nns; i++)
		if (nss[i].err != NULL) {
			fprintf(stderr, "nslab-limit: netns %s: %s: %s\n", nss[i].name, nss[i].err, strerror(nss[i].err_errno));
			return 1;
		}

	seq_line = xrealloc(NULL, (nlines + nns + 2) * sizeof *seq_line);
	for (size_t i = 0; i < nns; i++) {
		struct ns *n = &nss[i];
		if (n->sock < 0) open_socket(n);
		size_t m = msg_begin(n, RTM_NEWLINK, 0, 0); /* lo up first */
		put_ifinfo(n, 1, 1);
		msg_end(n, m);
		for (size_t k = 0; k < n->nlines_of; k++) {
			build(n->lines_of[k]);
			if (n->msgs >= WINDOW) flush(n);
		}
		flush(n);
		if (i >= held) { /* done with it: no later namespace names it */
			close(n->sock);
			close(n->fd);
			n->sock = n->fd = -1;
		}
	}
	return 0;
}
