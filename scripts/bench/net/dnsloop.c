/*
 * dnsloop: the network benchmark's resolver loop (scripts/bench/networks.mjs).
 * Asks the first nameserver of /etc/resolv.conf for NAME's A record COUNT
 * times, one query in flight (as an application's getaddrinfo would), and
 * prints "<lookups/s> <answers in the last reply> <rcode>". A process per
 * lookup (busybox nslookup in a shell loop) would measure fork and exec.
 *
 *   dnsloop NAME COUNT
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static int nameserver(struct in_addr *out) {
  FILE *f = fopen("/etc/resolv.conf", "r");
  char line[256], addr[64];
  if (!f) return -1;
  while (fgets(line, sizeof line, f)) {
    if (sscanf(line, " nameserver %63s", addr) == 1 && inet_pton(AF_INET, addr, out) == 1) { fclose(f); return 0; }
  }
  fclose(f);
  return -1;
}

/* A standard query for NAME IN A with recursion desired. */
static int query(unsigned char *q, const char *name, unsigned short id) {
  int n = 0;
  q[n++] = id >> 8; q[n++] = id & 0xff; q[n++] = 0x01; q[n++] = 0x00;
  q[n++] = 0; q[n++] = 1; memset(q + n, 0, 6); n += 6;
  const char *p = name;
  while (*p) {
    const char *dot = strchr(p, '.');
    int len = dot ? dot - p : (int)strlen(p);
    q[n++] = len;
    memcpy(q + n, p, len);
    n += len;
    p += len + (dot ? 1 : 0);
  }
  q[n++] = 0;
  q[n++] = 0; q[n++] = 1; q[n++] = 0; q[n++] = 1;
  return n;
}

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: dnsloop NAME COUNT\n"); return 2; }
  struct sockaddr_in ns = { .sin_family = AF_INET, .sin_port = htons(53) };
  if (nameserver(&ns.sin_addr) < 0) { fprintf(stderr, "no IPv4 nameserver in /etc/resolv.conf\n"); return 1; }
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct timeval tv = { .tv_sec = 2 };
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  connect(s, (struct sockaddr *)&ns, sizeof ns);
  int count = atoi(argv[2]), answers = 0, rcode = -1;
  unsigned char q[512], r[1500];
  double t0 = now();
  for (int i = 0; i < count; i++) {
    unsigned short id = (unsigned short)(i * 7919 + 1);
    int n = query(q, argv[1], id);
    if (send(s, q, n, 0) != n) { perror("send"); return 1; }
    for (;;) {
      ssize_t got = recv(s, r, sizeof r, 0);
      if (got < 0) { fprintf(stderr, "lookup %d timed out\n", i); return 1; }
      if (got >= 12 && r[0] == (id >> 8) && r[1] == (id & 0xff)) {
        rcode = r[3] & 0x0f;
        answers = (r[6] << 8) | r[7];
        break;
      }
    }
  }
  double dt = now() - t0;
  printf("%.1f %d %d\n", count / dt, answers, rcode);
  return 0;
}
